"""Which of the two Russian single-byte encodings a text file is in: Windows-1251 (what Russian
Excel writes) or KOI8-R (`single_byte_encoding`).

Both put the 32 Russian letters, small and capital, at 0xC0–0xFF, in other orders: each byte
is a letter either way, so a text read in the wrong one is still "letters", only the wrong
ones. These tell the readings apart:

- the letters themselves: a Russian text is mostly о, е, а, и, н, т, с… and hardly ever ъ, э,
  ф, щ, ю. KOI8-R's «ШКОЛА» read as Windows-1251 is «ылпмб», of letters ten times rarer, and
  Windows-1251's «ШКОЛА» read as KOI8-R is «ькнкю». Each reading is scored by how likely its
  letters are in Russian text (the sum of the log of each letter's share, case aside), which
  holds for text in capitals only and in small letters only as for mixed case; and the pairs
  of letters inside words, common in Russian or not;
- the case inside words: each encoding puts its small letters where the other has capitals,
  so «Код» reads «кОД» in the wrong one; a capital right after a small letter costs a reading
  as much as a letter hardly ever written;
- and what is no letter: a byte of 0x80–0xBF is a box-drawing sign in KOI8-R («╣» where
  Windows-1251 has «№») and a rare Cyrillic letter of another language in Windows-1251
  («Ђ», «Ў» where KOI8-R has «─», «═»), none of which a Russian table holds.

No character-set library is among Soko's dependencies: the one installed in the environment
(charset-normalizer, another package's dependency) is not ours to rely on, and statistical
detectors are least sure on the short texts tables are made of (a header and a few names).
"""

import math
from itertools import pairwise

# Russian letters' shares in text, per cent (the letters of the Russian National Corpus as
# commonly cited); «ё» as «е» is written for it.
_SHARES = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73,
    "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01,
    "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97,
    "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04,
    "ё": 0.04,
}  # fmt: skip
_LOG_SHARE = {letter: math.log(share / 100) for letter, share in _SHARES.items()}
# The 300 most common pairs of letters inside words of Soko's own Russian texts (the messages
# and pages of services/ and shared/), most common first: a reading's pairs found here make it
# more likely, pairs that are not less (a wrong reading's «ылпмб» has none).
_COMMON_PAIRS = frozenset(
    " ".join(
        (
            "ен ни не ан на ст ет по ро за те пр ер ка но ра то ор ри ов ит да ол ны од от та ко",
            "ат ме ве ль ия го ли ре ос ок ел аз де из че ти ис ва ие тв ци ло ть ле ла тр до во",
            "нн ал со пе ес ед ся им ац ил ач ог ав га ди ож ай ин тс ки бо ас ру ий ой ом чи рг",
            "оп зн ии об ар вы сл он ше же ви ик ае ап ты ые ма ек ад ак ем ых жн нт ам уч ча ск",
            "це ег жи ут ми ят сс се ке аг ио мо ез ей ту ый иц ид йд лн ьт ус ая ля их тк нк па",
            "ры ьн рр вн жд бр иа ну кл тн бе ьш эт рж оч кр рн ул рт ня уж вл сп сы оц са др ыл",
            "шк пи ук оз аб фа уд ду йл гр ое дн ош ив бу ср ги ур си ши сь зм ыт ох пу нд ич ьк",
            "хр зи нс кс бы аю ев уп зу лк ку кт аж ум дл чн зв фо ып мн ёт щи рм уг зо вс ён ым",
            "ир хо рв ещ ца шн оу фи мп вр ют бн вп лб ее щё ще еб иш ба ую сн му зы еч ыв йт мб",
            "мы оо зд бл вк дм яз ющ сб нь иф чт ах мм ям её гн ец еж мя пл иб вт кв бк цы тм рс",
            "лл су ды лы ию рь аш св ущ ип лу ыш яе гэ тп еш гл вв чё нц",
        )
    ).split()
)
_PAIR = 1.0  # what a pair found (or not) adds to (takes from) a reading's score
# Signs above ASCII a Russian table holds (quotes, dashes, №, §, °, a non-breaking space):
# Windows-1251 has them all, KOI8-R a few («°», «·», the non-breaking space).
_COMMON_SIGNS = frozenset("«»„“”‘’‚—–…№§°±•·×÷\u00a0\u00ad‰€™©®")
# What a character a Russian table hardly ever holds costs a reading: less likely than the
# rarest letter (ъ, 0.04 %, about −7.8).
_UNLIKELY = math.log(1e-5)


def _is_cyrillic(char: str) -> bool:
    return "а" <= char.lower() <= "я" or char in "ёЁ"


def _miscased(text: str) -> int:
    """How many times a capital Cyrillic letter follows a small one ("кОД"): what a text read
    in the wrong one of Windows-1251 and KOI8-R is full of (each swaps the other's cases)."""
    return sum(
        1
        for before, after in pairwise(text)
        if before.islower() and after.isupper() and _is_cyrillic(before) and _is_cyrillic(after)
    )


def _likelihood(text: str) -> float:
    """How Russian a reading looks: the log-likelihood of its Russian letters (case aside),
    with its common pairs of letters, less what its uncommon pairs, unlikely characters and
    capitals inside words cost (0 for ASCII alone)."""
    score = 0.0
    for char in text:
        if char.isascii() or char in _COMMON_SIGNS:
            continue
        score += _LOG_SHARE.get(char.lower(), _UNLIKELY)
    folded = text.lower()
    for pair in map("".join, pairwise(folded)):
        if _is_cyrillic(pair[0]) and _is_cyrillic(pair[1]):
            score += _PAIR if pair in _COMMON_PAIRS else -_PAIR
    return score + _UNLIKELY * _miscased(text)


def single_byte_encoding(content: bytes) -> str:
    """ "cp1251" or "koi8_r" for bytes that are not UTF-8: the one whose reading looks more
    like Russian text (see the module: its letters' shares, capitals inside words, signs no
    table holds), in capitals only, small letters only or mixed case alike; on a tie (no
    letter above ASCII tells them apart) Windows-1251, the encoding Russian Excel writes.
    Raises UnicodeDecodeError for bytes Windows-1251 does not define (0x98: in KOI8-R a "≤",
    never in a table of ours)."""
    windows = content.decode("cp1251")
    koi8 = content.decode("koi8_r")
    return "koi8_r" if _likelihood(koi8) > _likelihood(windows) else "cp1251"
