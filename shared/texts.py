"""Text people type or documents carry, as schemas take it: names and titles (`HumanText`),
text that must say something (`FilledText`), e-mail addresses (`EmailAddress`), and the
clean-ups for text read from documents (`without_invisible`) or posted by a browser's form
(`typed_text`)."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, EmailStr, StringConstraints
from pydantic_core import PydanticCustomError


def without_soft_hyphens(text: str) -> str:
    return text.replace("\u00ad", "")


def typed_text(value: str) -> str:
    """A posted text as the person typed it: each line break one "\\n". A browser sends a
    textarea's line breaks as "\\r\\n" (HTML's form submission) but counts each as one
    character against its `maxlength`: read as sent, a 5000-character comment with line breaks
    that the page let through would be refused as too long."""
    return value.replace("\r\n", "\n")


def without_invisible(text: str, *, lines: bool = False) -> str:
    """`text` without its control and format characters (Unicode Cc/Cf, as `human_text`
    refuses them): for a name read from a document rather than typed by the caller. A line
    break or tab between two words is a space, never nothing ("Дорожная\\nкарта" ->
    "Дорожная карта"); with `lines` (a comment a person typed on several lines) a line break
    stays one "\\n" (`typed_text`)."""
    if lines:
        text = typed_text(text)
    return "".join(_visible(c, lines) for c in text)


def _visible(char: str, lines: bool) -> str:
    """`char` if it shows; a control that breaks a line or spaces words ("\\n", "\\t") as a
    space (as "\\n" itself with `lines`); any other control or format character as nothing."""
    if unicodedata.category(char) not in ("Cc", "Cf"):
        return char
    if lines and char == "\n":
        return char
    return " " if char.isspace() else ""


def human_text(value: str) -> str:
    """A name or title a person reads (`HumanText`): the spaces around it stripped; refused
    (422 naming the field) when nothing visible is left, or when it holds a control or format
    character (Unicode Cc/Cf: zero-width spaces U+200B–U+200D, direction marks U+200E/U+200F,
    embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, U+FEFF …): invisible, they
    make two names that read the same differ, or show a name reversed. The message names the
    character and its position (1-based, in the stripped text). A soft hyphen (U+00AD, a
    place a word may break) is dropped, not refused."""
    text = without_soft_hyphens(value).strip()
    invisible = {c for c in text if unicodedata.category(c) in ("Cc", "Cf")}
    if all(c in invisible or c.isspace() for c in text):
        said = ", ".join(sorted(f"U+{ord(c):04X}" for c in invisible))
        only = f" (здесь только невидимые символы {said})" if said else ""
        raise PydanticCustomError("text_blank", "не заполнено: нужен текст" + only)
    for position, char in enumerate(text, start=1):
        if char in invisible:
            raise _invisible(char, position)
    return text


def _invisible(char: str, position: int) -> PydanticCustomError:
    """The refusal of an invisible character at a (1-based) position."""
    name = unicodedata.name(char, "")
    return PydanticCustomError(
        "text_invisible_character",
        "недопустимый невидимый символ U+{code}{name} в позиции {position}: уберите его",
        {"code": f"{ord(char):04X}", "name": f" ({name})" if name else "", "position": position},
    )


HumanText = Annotated[str, AfterValidator(human_text)]
"""A name or title a person reads (organizations, territories, clusters, staff, roadmaps,
indicators, data collections):
stripped, not blank, no control or format characters (`human_text`). Its length bound is the
field's own (`Field(max_length=...)`)."""


# Shown in running text though invisible, and harmless: line breaks and tabs, a soft hyphen
# (a place a word may break), the joiners that scripts and emoji sequences need.
_HARMLESS = frozenset("\n\r\t\u00ad\u200c\u200d")


def shown_text(value: str) -> str:
    """A text people read in running form (a question, an answer option, a hint), as typed:
    refused (422 naming the field) when it holds a control or format character that shows
    nothing yet changes how it reads — a direction override (U+202E shows the text reversed),
    a zero-width space, a BOM (Unicode Cc/Cf but `_HARMLESS`). Unlike `human_text` it is
    kept as written (line breaks, spaces) and may hold joiners."""
    for position, char in enumerate(value, start=1):
        if char not in _HARMLESS and unicodedata.category(char) in ("Cc", "Cf"):
            raise _invisible(char, position)
    return value


def one_script_email(value: str) -> str:
    """An e-mail address (`EmailAddress`) whose local part or a label of its domain mixes Latin
    and Cyrillic letters is refused (422): «аnalyst@demo.soko.ru» with a Cyrillic «а» reads as
    a colleague's address and signs in as nobody — a letter typed in the other keyboard layout,
    or an account made to be mistaken for another. A domain wholly in Cyrillic (школа.рф) is
    an address."""
    local, _, domain = value.rpartition("@")
    for part in (local, *domain.split(".")):
        scripts = {_script(c) for c in part if c.isalpha()} - {None}
        if len(scripts) > 1:
            raise PydanticCustomError(
                "email_mixed_scripts",
                "в адресе «{part}» смешаны латинские и русские буквы: проверьте раскладку",
                {"part": part},
            )
    return value


def _script(char: str) -> str | None:
    name = unicodedata.name(char, "")
    return next((s for s in ("LATIN", "CYRILLIC") if name.startswith(s)), None)


EmailAddress = Annotated[EmailStr, AfterValidator(one_script_email)]
"""An e-mail address people are told apart by (users, staff): valid (pydantic's `EmailStr`),
no part of it mixing Latin and Cyrillic letters (`one_script_email`)."""


FilledText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""Text that must say something (an activity's title, a rule's message): stripped of the spaces
around it, and then not empty (422 «не заполнено: нужен текст»); unlike `HumanText` it may
hold what documents carry (an activity title read from a .docx). Its length bound is the
field's own (`Field(max_length=...)`), counted after stripping."""
