"""pydantic's validation errors in our users' language.

pydantic (and FastAPI, which validates requests with it) says what is wrong in English: "Field
required", "Input should be a valid UUID". `russian_message` turns one such error into a Russian
sentence by its `type`, naming the value given when it is short; the error's `type` and `loc`
stay as they are (machines read them), only its text changes. Every service's 422 for a
malformed request (`shared.errors`) and the instrument imports, JSON and XLSForm (which pass
the words for the definition's patterns), say it this way.
"""

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from shared.json_messages import russian_json_error

# Values longer than this are cut (with «…») when a message names them.
SHOWN_LENGTH = 100
# A field whose value a message never repeats (it may be a secret), by the words of its name.
_SECRET = re.compile(r"password|secret|token|api_key", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

_ISO_DATE = "ГГГГ-ММ-ДД, например 2024-09-01"
_ISO_DATETIME = "ГГГГ-ММ-ДДTЧЧ:ММ:СС с часовым поясом, например 2024-09-01T09:00:00+03:00"
_BOOL = "логическое значение: true или false (yes или no, 1 или 0)"
_BOUNDS = {
    "greater_than": ("больше", "gt"),
    "greater_than_equal": ("не меньше", "ge"),
    "less_than": ("меньше", "lt"),
    "less_than_equal": ("не больше", "le"),
}


def shown(error: Mapping[str, Any]) -> str:
    """The value an error is about as a message names it: `«value»`, cut past `SHOWN_LENGTH`
    characters; "" when it is not a single value (an object, a list, nothing) or belongs to a
    field that may hold a secret (a password, a token)."""
    given = error.get("input")
    if any(_SECRET.search(str(part)) for part in error.get("loc", ())):
        return ""
    if isinstance(given, bool):
        given = str(given).lower()
    if not isinstance(given, str | int | float | Decimal | date | time | UUID):
        return ""
    text = str(given)
    if len(text) > SHOWN_LENGTH:
        text = text[:SHOWN_LENGTH] + "…"
    return f"«{text}»"


def _expected(ctx: Mapping[str, Any], key: str = "expected") -> str:
    return str(ctx.get(key, "")).replace(" or ", " или ")


def _at_least(count: Any, noun: tuple[str, str]) -> str:
    """`count` and the noun after «не больше» / «не меньше» (genitive): 1 символа, 5 символов."""
    n = int(count) if str(count).isdigit() else 0
    return f"{count} {noun[0] if n % 10 == 1 and n % 100 != 11 else noun[1]}"


def _characters(count: Any) -> str:
    return _at_least(count, ("символа", "символов"))


def _items(count: Any) -> str:
    return _at_least(count, ("элемента", "элементов"))


Say = Callable[[str, Mapping[str, Any], Mapping[str, str]], str]


# The code patterns of the API's fields (indicator, rule and procedure codes; those of
# recommendation rules, PD programmes and competences) in words: a person reads «нужен текст
# по шаблону ^[a-z][a-z0-9_]{0,79}$» as noise. A field's own `patterns` come first.
CODE_PATTERNS = {
    r"^[a-z][a-z0-9_]{0,79}$": "код — до 80 строчных латинских букв, цифр и _, первая — буква",
    r"^[a-z][a-z0-9_]{1,39}$": "код — 2–40 строчных латинских букв, цифр и _, первая — буква",
    r"^[a-z][a-z0-9_]*$": "код — строчные латинские буквы, цифры и _, первая — буква",
    r"^[a-z0-9_]+$": "код — строчные латинские буквы, цифры и _, без пробелов",
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$": (
        "код — латинские буквы, цифры, _, . и -, первая — буква или цифра, без пробелов"
    ),
}


def _pattern(value: str, ctx: Mapping[str, Any], patterns: Mapping[str, str]) -> str:
    pattern = str(ctx.get("pattern", ""))
    rule = (
        patterns.get(pattern) or CODE_PATTERNS.get(pattern) or f"нужен текст по шаблону {pattern}"
    )
    return f"значение {value} не подходит: {rule}"


def _too_short_text(value: str, ctx: Mapping[str, Any], _: Mapping[str, str]) -> str:
    least = ctx.get("min_length", 1)
    if least == 1:
        return "не заполнено: нужен текст"
    return f"текст {value} слишком короткий: нужно не меньше {_characters(least)}"


def _too_short_list(value: str, ctx: Mapping[str, Any], _: Mapping[str, str]) -> str:
    least = ctx.get("min_length", 1)
    if least == 1:
        return "список пуст: нужен хотя бы один элемент"
    return f"слишком мало элементов: нужно не меньше {_items(least)}"


def _limit_text(limit: Any) -> str:
    """A bound as a person writes it: 100 (not 100.0), 0,5, and a power of ten from a million
    up as 10^15 (not 1000000000000000.0)."""
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        return str(limit)
    if limit and abs(limit) >= 1e6 and math.log10(abs(limit)).is_integer():
        return f"{'-' if limit < 0 else ''}10^{int(math.log10(abs(limit)))}"
    if isinstance(limit, float) and limit.is_integer():
        return str(int(limit))
    return str(limit).replace(".", ",")


def _bound(kind: str) -> Say:
    words, key = _BOUNDS[kind]

    def say(value: str, ctx: Mapping[str, Any], _: Mapping[str, str]) -> str:
        return f"значение {value} должно быть {words} {_limit_text(ctx[key])}"

    return say


def _expects(what: str) -> Say:
    """The sentence «ожидается <what>, а указано «value»», without the value when there is
    none to name."""

    def say(value: str, _ctx: Mapping[str, Any], _: Mapping[str, str]) -> str:
        return f"ожидается {what}, а указано {value}" if value else f"ожидается {what}"

    return say


def _fixed(text: str) -> Say:
    return lambda _value, _ctx, _patterns: text


def _templated(template: str) -> Say:
    """A sentence with `{value}` and the error's context (`{max_length}`, `{multiple_of}`)."""

    def say(value: str, ctx: Mapping[str, Any], _: Mapping[str, str]) -> str:
        words = {key: _expected(ctx, key) for key in ctx}
        return template.format_map(words | {"value": value})

    return say


_SAY: dict[str, Say] = {
    "missing": _fixed("не заполнено: поле обязательно"),
    "extra_forbidden": _fixed("лишнее поле: такого поля здесь нет"),
    "string_type": _expects("текст (строка)"),
    "string_too_short": _too_short_text,
    "string_too_long": lambda value, ctx, _: (
        f"слишком длинный текст: не больше {_characters(ctx['max_length'])}"
    ),
    "string_pattern_mismatch": _pattern,
    "string_unicode": _fixed("текст не читается как Unicode"),
    "int_type": _expects("целое число"),
    "int_parsing": _expects("целое число"),
    "int_parsing_size": _expects("целое число поменьше"),
    "int_from_float": _expects("целое число без дробной части"),
    "float_type": _expects("число"),
    "float_parsing": _expects("число"),
    "finite_number": _expects("конечное число (не NaN и не бесконечность)"),
    "bool_type": _expects(_BOOL),
    "bool_parsing": _expects(_BOOL),
    "uuid_type": _expects("идентификатор UUID"),
    "uuid_parsing": _expects("идентификатор UUID, например 3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
    "uuid_version": _expects("идентификатор UUID другой версии"),
    "date_type": _expects(f"дата {_ISO_DATE}"),
    "date_parsing": _expects(f"дата {_ISO_DATE}"),
    "date_from_datetime_parsing": _expects(f"дата {_ISO_DATE}"),
    "date_from_datetime_inexact": _expects("дата без времени"),
    "date_past": _templated("дата {value} должна быть в прошлом"),
    "date_future": _templated("дата {value} должна быть в будущем"),
    "time_type": _expects("время ЧЧ:ММ:СС"),
    "time_parsing": _expects("время ЧЧ:ММ:СС"),
    "datetime_type": _expects(f"дата и время {_ISO_DATETIME}"),
    "datetime_parsing": _expects(f"дата и время {_ISO_DATETIME}"),
    "datetime_from_date_parsing": _expects(f"дата и время {_ISO_DATETIME}"),
    "datetime_object_invalid": _expects(f"дата и время {_ISO_DATETIME}"),
    "datetime_past": _templated("момент {value} должен быть в прошлом"),
    "datetime_future": _templated("момент {value} должен быть в будущем"),
    "timezone_naive": _templated("у момента {value} не должно быть часового пояса"),
    "timezone_aware": _templated(
        "у момента {value} нет часового пояса: добавьте его, например +03:00"
    ),
    "timezone_offset": _templated(
        "у момента {value} другой часовой пояс: нужно смещение {tz_expected} секунд"
    ),
    "decimal_type": _expects("десятичное число"),
    "decimal_parsing": _expects("десятичное число"),
    "decimal_not_finite": _expects("конечное десятичное число"),
    "decimal_max_digits": _templated("в числе {value} больше {max_digits} цифр"),
    "decimal_max_places": _templated(
        "в числе {value} больше {decimal_places} знаков после запятой"
    ),
    "decimal_whole_digits": _templated("в числе {value} больше {whole_digits} цифр до запятой"),
    "enum": _templated("значение {value} не подходит; допустимы: {expected}"),
    "literal_error": _templated("значение {value} не подходит; допустимы: {expected}"),
    "union_tag_invalid": _templated(
        "значение {tag} поля {discriminator} не подходит; допустимы: {expected_tags}"
    ),
    "union_tag_not_found": _templated("не заполнено поле {discriminator}"),
    "list_type": _expects("список"),
    "tuple_type": _expects("список"),
    "set_type": _expects("список"),
    "dict_type": _expects("объект"),
    "model_type": _expects("объект"),
    "model_attributes_type": _expects("объект"),
    "dataclass_type": _expects("объект"),
    "too_short": _too_short_list,
    "too_long": lambda value, ctx, _: (
        f"слишком много элементов: не больше {_items(ctx['max_length'])}"
    ),
    "multiple_of": _templated("значение {value} должно быть кратно {multiple_of}"),
    "json_invalid": lambda _value, ctx, _: russian_json_error(
        ctx.get("error", ""),
        ctx.get("line"),
        ctx.get("column"),
        doc=ctx.get("doc"),
        at_end=bool(ctx.get("at_end")),
    ),
    "json_type": _expects("текст JSON"),
    "url_type": _expects("адрес (URL), например https://example.ru/page"),
    "url_parsing": _expects("адрес (URL), например https://example.ru/page"),
    "url_syntax_violation": _expects("адрес (URL), например https://example.ru/page"),
    "url_too_long": _templated("адрес длиннее {max_length} символов"),
    "url_scheme": _templated(
        "адрес {value} не подходит: он должен начинаться с {expected_schemes}"
    ),
    "none_required": _fixed("значение здесь не указывается: нужно null"),
    **{kind: _bound(kind) for kind in _BOUNDS},
}
_OBJECT_KINDS = {"dict_type", "model_type", "model_attributes_type"}
# Our own validators' errors: the message is ours (Russian), after pydantic's prefix.
_OWN_PREFIXES = {"value_error": "Value error, ", "assertion_error": "Assertion failed, "}


def russian_message(error: Mapping[str, Any], patterns: Mapping[str, str] | None = None) -> str:
    """One pydantic error (an item of `ValidationError.errors()` or of FastAPI's
    `RequestValidationError.errors()`: a mapping with `type`, `msg`, and usually `input`,
    `ctx`, `loc`) as a Russian sentence naming the value given when it is short.

    `patterns` maps a field's regular expression (`ctx.pattern` of `string_pattern_mismatch`)
    to what it asks for in words; a pattern not in it is quoted. A `value_error` (our
    validators' `ValueError`) is its own message without pydantic's prefix; an error raised
    with a Russian message of our own (`PydanticCustomError`) keeps it; any other type is
    «значение не подходит» followed by pydantic's type and English text. Never raises."""
    kind = str(error.get("type", ""))
    text = str(error.get("msg", ""))
    if "Expected UploadFile" in text:  # FastAPI's own ValueError: a text part, or no file name
        return "ожидается файл: часть формы с именем файла (multipart/form-data)"
    if kind in _OWN_PREFIXES:
        return text.removeprefix(_OWN_PREFIXES[kind])
    ctx = error.get("ctx") or {}
    if kind == "json_invalid" and isinstance(error.get("input"), str | bytes):
        ctx = {**ctx, "doc": error["input"]}  # to say pydantic's byte column in characters
    value = shown(error)
    if kind in _OBJECT_KINDS and isinstance(error.get("input"), bytes):
        # FastAPI reads a body as JSON only under Content-Type application/json (or +json);
        # under any other (curl -d sends a form's) the model is given the bytes.
        return (
            "тело запроса не прочитано как JSON: передайте его с заголовком "
            "Content-Type: application/json"
        )
    if kind in _OBJECT_KINDS and isinstance(error.get("input"), list):
        # A bulk post sent as the bare list of its rows ([{…}, …] for {"values": [{…}, …]}).
        return "ожидается объект JSON в фигурных скобках {…}, а передан список […]"
    say = _SAY.get(kind)
    if say is not None:
        try:
            return " ".join(say(value, ctx, patterns or {}).split())
        except (KeyError, ValueError, IndexError):
            pass  # a context pydantic words differently: the fallback still says it
    if kind not in _SAY and _CYRILLIC.search(text):
        return text
    named = f" {value}" if value else ""
    return f"значение{named} не подходит (pydantic, {kind}: {text})"
