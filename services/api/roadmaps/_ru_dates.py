"""Russian date vocabulary and text normalisation for the deadline parser."""

import re
import unicodedata

_MONTH_STEMS = (
    ("январ", ("ь", "я", "е")),
    ("феврал", ("ь", "я", "е")),
    ("март", ("", "а", "е")),
    ("апрел", ("ь", "я", "е")),
    ("ма", ("й", "я", "е")),
    ("июн", ("ь", "я", "е")),
    ("июл", ("ь", "я", "е")),
    ("август", ("", "а", "е")),
    ("сентябр", ("ь", "я", "е")),
    ("октябр", ("ь", "я", "е")),
    ("ноябр", ("ь", "я", "е")),
    ("декабр", ("ь", "я", "е")),
)

# Nominative ("сентябрь"), genitive ("сентября") and prepositional ("в сентябре") forms.
MONTHS: dict[str, int] = {
    stem + ending: number
    for number, (stem, endings) in enumerate(_MONTH_STEMS, start=1)
    for ending in endings
}

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

# Spelled-out ordinals by stem: "первая", "второй", "третья", "четвёртая", "пятая".
ORDINAL_STEMS = (("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4), ("пят", 5))

# Words that OCR may split with a stray space or dot; they are glued back only when whole.
VOCABULARY = frozenset(MONTHS) | {
    "ежегодно",
    "ежемесячно",
    "ежеквартально",
    "еженедельно",
    "постоянно",
    "неделя",
    "недели",
    "квартал",
    "полугодие",
    "учебного",
    "учебный",
    "течение",
}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:перв|втор|трет|четверт|пят|последн)[а-я]*"
_YEAR_SUFFIX = r"(?:\s*(?:гг|года|году|годы|годов|год|г)(?![а-я])\.?)?"
_YEAR_TAIL = r"(?:\s*,?\s*(?P<year>\d{4})(?!\d)" + _YEAR_SUFFIX + ")?"
_ACADEMIC_SUFFIX = r"\s*уч(?:ебн(?:ый|ого|ом|ому))?\.?\s*(?:год(?:а|у)?|г)(?![а-я])\.?"
_PLURAL_SUFFIX = r"\s*(?:гг|годы|годов)(?![а-я])\.?"
_WEEK_NUMBER = r"(?:\d(?:\s*-?\s*(?:я|ая|й|ой|ый)(?![а-я]))?(?!\d)|" + _ORDINAL + ")"
_QUARTER_NUMBER = r"(?:iv|i{1,3}|\d(?:\s*-?\s*(?:й|ый|ой)(?![а-я]))?(?!\d)|" + _ORDINAL + ")"
_HALF_NUMBER = r"(?:ii|i|\d(?:\s*-?\s*(?:е|ое)(?![а-я]))?(?!\d)|" + _ORDINAL + ")"

# Each piece of a deadline, matched at the scanner's position (so no leading anchors needed).
PIECE_PATTERNS: dict[str, re.Pattern[str]] = {
    "numeric_date": re.compile(
        r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})(?!\d)" + _YEAR_SUFFIX
    ),
    "year_range": re.compile(
        r"(?P<y1>\d{4})(?:\s*(?P<sep>[-/])\s*(?P<y2>\d{4}|\d{2})|\s+(?P<y2s>\d{4})(?="
        + _PLURAL_SUFFIX
        + r"))(?!\d)(?:(?P<academic>"
        + _ACADEMIC_SUFFIX
        + r")|(?P<plural>"
        + _PLURAL_SUFFIX
        + r")|"
        + _YEAR_SUFFIX
        + ")"
    ),
    "weeks": re.compile(
        rf"(?P<first>{_WEEK_NUMBER})(?:\s*-\s*(?P<last>{_WEEK_NUMBER}))?\s+недел[яиюе]\s+"
        rf"(?P<month>{_MONTH_ALT})(?![а-я])" + _YEAR_TAIL
    ),
    "quarters": re.compile(
        rf"(?P<first>{_QUARTER_NUMBER})(?:\s*-\s*(?P<last>{_QUARTER_NUMBER}))?\s+квартал[а-я]*"
        + _YEAR_TAIL
    ),
    "halves": re.compile(
        rf"(?P<first>{_HALF_NUMBER})(?:\s*-\s*(?P<last>{_HALF_NUMBER}))?\s+полугоди[а-я]*"
        + _YEAR_TAIL
    ),
    "days": re.compile(
        r"(?P<first>\d{1,2})(?:\s*-\s*(?P<last>\d{1,2}))?(?:\s*-?\s*(?:е|го|ое)(?![а-я]))?\s+"
        rf"(?P<month>{_MONTH_ALT})(?![а-я])" + _YEAR_TAIL
    ),
    "month": re.compile(rf"(?P<month>{_MONTH_ALT})(?![а-я])" + _YEAR_TAIL),
    "year": re.compile(r"(?P<year>\d{4})(?!\d)" + _YEAR_SUFFIX),
}

_LATIN_LOOKALIKES = str.maketrans("aceopxyABCEHKMOPTXY", "асеорхуАВСЕНКМОРТХУ")
_WORD_RE = re.compile(r"[^\W\d_]+")
_CYRILLIC_RE = re.compile(r"[а-яёА-ЯЁ]")
_LATIN_RE = re.compile(r"[a-zA-Z]")
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212]")
_LETTER_DIGIT_RE = re.compile(r"(?<=[а-я])(?=\d)|(?<=\d)(?=[а-я])")
_DOTTED_WORD_RE = re.compile(r"[а-я]+(?:\.[а-я]+)+")
_SPLIT_WORD_RE = re.compile(r"(?<![а-я])([а-я]+) ([а-я]+)(?![а-я])")


def _fix_lookalikes(match: re.Match[str]) -> str:
    # Only words already containing Cyrillic are fixed: a pure-Latin "III" is a Roman numeral.
    word = match.group()
    if _CYRILLIC_RE.search(word) and _LATIN_RE.search(word):
        return word.translate(_LATIN_LOOKALIKES)
    return word


def _undot(match: re.Match[str]) -> str:
    joined = match.group().replace(".", "")
    return joined if joined in VOCABULARY else match.group()


def _unsplit(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    known = left in VOCABULARY or right in VOCABULARY
    return left + right if not known and left + right in VOCABULARY else match.group()


def normalise(text: str) -> str:
    """Lower-case, Cyrillic-only, single-spaced text with plain hyphens for dashes."""
    text = unicodedata.normalize("NFKC", text)
    # Ukrainian "і" is what OCR makes of the "I" in Roman numerals such as "ІІІ квартал".
    text = text.replace("І", "I").replace("і", "i")
    text = _WORD_RE.sub(_fix_lookalikes, text)
    text = text.lower().replace("ё", "е")
    text = _DASHES_RE.sub("-", text)
    # "октябрь2021", "2021г": glued by OCR or by hand.
    text = _LETTER_DIGIT_RE.sub(" ", text)
    text = " ".join(text.split())
    text = _DOTTED_WORD_RE.sub(_undot, text)
    return _SPLIT_WORD_RE.sub(_unsplit, text)


def ordinal(word: str) -> int | None:
    """The number of a digit, Roman numeral or spelled-out ordinal ("третья" → 3)."""
    word = word.replace(" ", "").split("-")[0]
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group())
    if word in ROMAN:
        return ROMAN[word]
    for stem, number in ORDINAL_STEMS:
        if word.startswith(stem):
            return number
    return None
