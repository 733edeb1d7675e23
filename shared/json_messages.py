"""A JSON text's syntax error in our users' language, with where it is (line and column).

Two readers word these errors in English: Python's `json` (FastAPI reads a request's body with
it: "Expecting value", "Extra data", with the position apart) and pydantic's (a `Json` field,
`model_validate_json`: "expected value at line 1 column 12"). `russian_json_error` says either
in Russian; a wording it does not know gets a general Russian sentence, never the English.
"""

import re

_CUT_OFF = "текст JSON оборвался"
# Python's json messages (json.decoder, json.scanner) by how they begin.
_PYTHON = (
    ("Expecting value", "ожидается значение"),
    ("Expecting ',' delimiter", "пропущена запятая между элементами"),
    ("Expecting ':' delimiter", "после имени поля пропущено двоеточие"),
    (
        "Expecting property name enclosed in double quotes",
        "ожидается имя поля в двойных кавычках (или лишняя запятая перед «}»)",
    ),
    ("Unterminated string", "строка в кавычках не закрыта"),
    ("Invalid control character", "управляющий символ (перевод строки, табуляция) внутри строки"),
    ("Invalid \\uXXXX escape", "неверная запись \\uXXXX в строке"),
    ("Invalid \\escape", "неверная обратная косая черта (\\) в строке"),
    ("Extra data", "лишние символы после конца JSON"),
    ("Illegal trailing comma", "лишняя запятая перед закрывающей скобкой"),
)
# pydantic's (jiter, serde_json's words) by how they begin.
_PYDANTIC = (
    ("EOF while parsing a string", "строка в кавычках не закрыта"),
    ("EOF while parsing a list", "список не закрыт: не хватает «]»"),
    ("EOF while parsing an object", "объект не закрыт: не хватает «}»"),
    ("EOF while parsing", _CUT_OFF),
    ("expected value", "ожидается значение"),
    ("expected ident", "ожидается значение (true, false или null)"),
    ("expected `,` or `]`", "пропущена запятая или «]»"),
    ("expected `,` or `}`", "пропущена запятая или «}»"),
    ("expected `:`", "после имени поля пропущено двоеточие"),
    ('expected `"`', "ожидается двойная кавычка"),
    ("key must be a string", "ожидается имя поля в двойных кавычках"),
    ("trailing characters", "лишние символы после конца JSON"),
    ("trailing comma", "лишняя запятая перед закрывающей скобкой"),
    ("control character", "управляющий символ (перевод строки, табуляция) внутри строки"),
    ("invalid escape", "неверная обратная косая черта (\\) в строке"),
    ("invalid unicode code point", "неверный код символа в \\uXXXX"),
    ("lone leading surrogate", "неполная пара \\uXXXX (суррогат без пары)"),
    ("unexpected end of hex escape", "неверная запись \\uXXXX в строке"),
    ("invalid number", "неверно записано число"),
    ("number out of range", "число слишком велико"),
    ("recursion limit exceeded", "слишком глубокая вложенность"),
    ("EOF", _CUT_OFF),
)
_GENERAL = "текст не читается как JSON"
_WHERE = re.compile(r"\s*at line (\d+) column (\d+)\s*$")


def position(doc: str | bytes, pos: int) -> tuple[int, int]:
    """Line and column (both from 1) of character `pos` of `doc`, as `json.JSONDecodeError`
    counts them (a `bytes` document is read as UTF-8 first)."""
    text = doc.decode("utf-8", "replace") if isinstance(doc, bytes) else doc
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    return line, pos - text.rfind("\n", 0, pos)


def character_column(doc: str | bytes, line: int, column: int) -> int:
    """pydantic's `column` of `line` (both from 1), which counts UTF-8 bytes, in characters as
    people (and Python's json) count them: «"привет" x» has x at byte 18, character 10."""
    raw = doc.encode("utf-8", "replace") if isinstance(doc, str) else doc
    lines = raw.split(b"\n")
    if not 1 <= line <= len(lines):
        return column
    return len(lines[line - 1][: max(column - 1, 0)].decode("utf-8", "ignore")) + 1


def russian_json_error(
    error: str,
    line: int | None = None,
    column: int | None = None,
    *,
    doc: str | bytes | None = None,
    at_end: bool = False,
) -> str:
    """One reader's English syntax error as «JSON записан с ошибкой: <что> (строка L, столбец
    C)». `error`: the reader's text (`JSONDecodeError.msg`, or pydantic's `ctx.error`, whose
    «at line L column C» gives the place when `line` is not given: its byte column is said in
    characters when the text read, `doc`, is given). `at_end`: the reader stopped at the end
    of the text (Python's json then says what it expected next, «Expecting ',' delimiter»,
    where the text was cut off). Column 0 (pydantic's for an empty text) is said as 1. Never
    raises; never repeats the English."""
    text = str(error).strip()
    where = _WHERE.search(text)
    if where:
        text = text[: where.start()]
        if line is None:
            line, column = int(where[1]), int(where[2])
            if doc is not None:
                column = character_column(doc, line, column)
    said = next(
        (words for start, words in (*_PYTHON, *_PYDANTIC) if text.startswith(start)), _GENERAL
    )
    if at_end and text.startswith("Expecting"):
        said = _CUT_OFF
    place = f" (строка {line}, столбец {max(column or 1, 1)})" if line is not None else ""
    return f"JSON записан с ошибкой: {said}{place}"
