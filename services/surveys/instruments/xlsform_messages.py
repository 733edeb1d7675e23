"""What other libraries say about a workbook, in our users' language and at its cell.

pyxform (the ODK reader) and pydantic (the definition's validation) speak English. The uploader
reads Russian: each kind of pyxform's messages we recognise becomes a Russian sentence naming
the value as written; pyxform's own text follows it (`pyxform: ...`), so nothing it says is
lost, and one we do not recognise is shown after «Ошибка в форме». pydantic's errors are said by
`shared.validation_messages.russian_message` with the words of the definition's patterns
(`definition.DEFINITION_PATTERNS`). Each is placed at the sheet, row
and column it is about, which pyxform says in words (`[row : 5]`, `on the 'choices' sheet`,
`the 'name' value`, `See [hot meal] in [t]`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.surveys.instruments.xlsform_common import CHOICES, SURVEY, XLSFormError
from services.surveys.instruments.xlsform_sheets import Sheet

# Words of pyxform's messages and the survey column they are about.
_PYXFORM_COLUMNS = (
    ("missing calculation", "calculation"),
    ("with no name", "name"),
    ("list name", "type"),
    ("group", "type"),
    ("repeat", "type"),
    ("question type", "type"),
    ("unknown type", "type"),
)
_NAME_RULE = (
    "имя должно начинаться с латинской буквы или _, дальше — латинские буквы, цифры, _, - или ."
)
# pyxform's messages we recognise (searched in its text, spaces collapsed) → a Russian sentence
# made of what the pattern's groups hold.
_PYXFORM: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE | re.DOTALL), say)
    for pattern, say in (
        (
            r"Unmatched 'end_(\w+)'.*?No matching 'begin_\w+' was found for the name '([^']*)'",
            lambda m: f"строка «end {m[1]}» без парной «begin {m[1]}» выше",
        ),
        (
            r"Unmatched 'begin_(\w+)'.*?No matching 'end_\w+' was found for the name '([^']*)'",
            lambda m: f"у «begin {m[1]}» с именем «{m[2]}» нет парной строки «end {m[1]}» ниже",
        ),
        (
            r"List name not in (?:choices|columns) sheet: (\S+)",
            lambda m: (
                f"списка вариантов «{m[1]}» нет на листе choices (столбец list_name): "
                "добавьте его варианты или исправьте имя списка в столбце type"
            ),
        ),
        (
            r"There should be a choices sheet",
            lambda m: "в книге нет листа choices, а вопросам с выбором нужны его варианты",
        ),
        (
            r"Please specify choices for this 'or other' question",
            lambda m: "у вопроса с or_other нет вариантов на листе choices",
        ),
        (
            r"Choice filter not supported with or_other",
            lambda m: "choice_filter нельзя сочетать с or_other",
        ),
        (
            r"the 'name' value '([^']*)' is invalid\. "
            r"Questions, groups, and repeats must be unique",
            lambda m: (
                f"имя «{m[1]}» уже занято другим вопросом или группой в той же группе: "
                "имена должны быть разными"
            ),
        ),
        (
            r"the 'name' value '([^']*)' is problematic\. The name is a case-insensitive match",
            lambda m: f"имя «{m[1]}» отличается от другого имени только регистром букв",
        ),
        (
            r"Choice names must be unique",
            lambda m: (
                "имя варианта повторяется в том же списке: имена вариантов одного списка "
                "должны быть разными"
            ),
        ),
        (r"Choices must have a name", lambda m: "у варианта нет имени (столбец name)"),
        (r"Choices should have a label", lambda m: "у варианта нет подписи (столбец label)"),
        (
            r"Choice names with spaces cannot be added to multiple choice selects\. "
            r"See \[([^\]]*)\] in \[([^\]]*)\]",
            lambda m: (
                f"имя варианта «{m[1]}» (список «{m[2]}») содержит пробел: ответы "
                "select_multiple разделяются пробелами, замените пробел, например, на _"
            ),
        ),
        (r"Question or group with no name", lambda m: "у вопроса или группы нет имени (name)"),
        (r"Question with no type", lambda m: "у строки не указан тип (type)"),
        (r"Missing calculation", lambda m: "у calculate не заполнен столбец calculation"),
        (r"Unknown question type '([^']*)'", lambda m: f"тип «{m[1]}» не поддерживается"),
        (r"Names must begin with a letter or underscore", lambda m: _NAME_RULE),
        (
            r"Could not find the name '([^']*)'",
            lambda m: f"ссылка ${{{m[1]}}}: вопроса с именем «{m[1]}» на листе survey нет",
        ),
        (
            r"Reference variables must start with",
            lambda m: "ссылка записана неверно: ожидается ${имя_вопроса}",
        ),
        (
            r"The name '([^']*)' appears more than once",
            lambda m: (
                f"ссылка ${{{m[1]}}} неоднозначна: имя «{m[1]}» встречается на листе "
                "survey несколько раз"
            ),
        ),
        (
            r"Invalid headers provided for sheet: '(\w+)'\. One or more required column headers "
            r"were not found: (.*?)\.",
            lambda m: f"на листе {m[1]} нет обязательных столбцов: {m[2]}",
        ),
        (
            r"Headers that are different names for the same column were found: '([^']*)', "
            r"'([^']*)'",
            lambda m: (
                f"столбцы {m[1]} и {m[2]} — один и тот же столбец под разными "
                "названиями: оставьте один"
            ),
        ),
        (
            r"You must have a sheet named '(\w+)'",
            lambda m: f"в книге нет листа {m[1]}",
        ),
    )
)


def pyxform_message(text: str) -> str:
    """pyxform's message in Russian: our sentence and then its own text when we recognise the
    kind, else its text after «Ошибка в форме»."""
    for pattern, say in _PYXFORM:
        if (found := pattern.search(text)) is not None:
            return f"{say(found)} (pyxform: {text})"
    return f"Ошибка в форме (pyxform): {text}"


def pyxform_error(message: str, sheets: dict[str, Sheet | None]) -> XLSFormError:
    """pyxform's message in Russian, placed at the row it names (`[row : 5]`) or the row of a
    name it quotes (`See [hot meal] in [t]`), and at the column it is about."""
    text = " ".join(message.split())
    russian = pyxform_message(text)
    named = re.search(r"on the '(\w+)' sheet", text, re.IGNORECASE)
    sheet_name = named.group(1).lower() if named else SURVEY
    row_number: int | None = None
    if (found := re.search(r"\[row\s*:\s*(\d+)\]", text)) is not None:
        row_number = int(found.group(1))
    else:
        quoted = re.findall(r"\[([^\]]+)\]", text)
        for name in (SURVEY, CHOICES):
            sheet = sheets.get(name)
            for row in sheet.filled() if sheet else []:
                if row.text("name") and row.text("name") in quoted:
                    return XLSFormError(russian, sheet=name, row=row.number, column="name")
    lowered = text.lower()
    value = re.search(r"the '([^']+)' value", lowered)
    column = value.group(1) if value else None
    column = column or next((c for word, c in _PYXFORM_COLUMNS if word in lowered), None)
    sheet = sheets.get(sheet_name)
    if column is None and sheet is not None:
        for header in sheet.headers:
            if header and re.search(rf"\b{re.escape(header.split('::')[0])}\b", lowered):
                column = header
                break
    return XLSFormError(russian, sheet=sheet_name, row=row_number, column=column)
