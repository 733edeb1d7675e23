"""What a request must satisfy before any rule looks at it, and the building blocks of schemas.

Kinds of input that PostgreSQL (or the JSON of our answers) refuses, and that would otherwise
surface as a 500 from deep inside a service, are refused here with a 422 that names the field:

- integers beyond what a column holds: request schemas use the bounded types below
  (`Int32`, `Count`, `Offset`), and tests/shared/test_openapi.py fails on an unbounded integer
  or number in any of the three OpenAPI documents;
- numbers a sum could overflow: every measured value a request carries (a data value, a
  target, a survey answer, a threshold) is a `Measure`, finite and at most 10^15 in magnitude,
  so that no SUM or AVG in SQL (tallies, aggregates, reports) can leave the range of float8;
- an explicit `null` for a field that cannot be cleared: every `XUpdate` schema derives from
  `UpdateSchema`, which refuses null except for fields marked `Clearable`;
- what no text, jsonb or float column can take, anywhere in the request: the character U+0000,
  a lone UTF-16 surrogate (U+D800–U+DFFF, which JSON's `\\ud800` escape can carry but UTF-8
  cannot encode), and the non-finite numbers NaN, Infinity and -Infinity (Python's JSON reader
  takes them, and 1e400, PostgreSQL's JSON does not). `refuse_unstorable_input` checks path and
  query parameters, JSON bodies (keys, strings and numbers at any depth) and form and multipart
  text fields of every API request before the endpoint runs; `refuse_unstorable_parameters`
  stops any that reaches a statement by another way (a cell of an uploaded file) before
  PostgreSQL.
"""

import math
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Request
from fastapi.params import Form
from fastapi.routing import APIRoute
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import UploadFile

from shared.errors import Invalid
from shared.json_body import repeated_key_errors
from shared.periods import MAX_YEAR, MIN_YEAR
from shared.settings import get_settings

# PostgreSQL's `integer` (most of our integer columns) and `bigint`.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A number of things (students, rows, an offset): 0 to 2,147,483,647."""
PositiveInt32 = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A version or another 1-based number: 1 to 2,147,483,647."""

MEASURE_MAX = 1e15
"""The largest magnitude of a measured value: 2,147,483,647 of them sum to about 2·10^24 and
their squares to 2·10^39, far inside float8 (1.8·10^308), so no SQL aggregate overflows."""
MEASURE_MAX_TEXT = "10^15"
"""How messages to users name the bound."""
Measure = Annotated[float, Field(ge=-MEASURE_MAX, le=MEASURE_MAX, allow_inf_nan=False)]
"""A measured, target or threshold value: finite, -10^15 to 10^15."""
NonNegativeMeasure = Annotated[float, Field(ge=0, le=MEASURE_MAX, allow_inf_nan=False)]
"""A measured value that cannot be negative (points, a scale): 0 to 10^15."""


NUL = "\x00"
NUL_MESSAGE = "Текст содержит недопустимый символ U+0000"
SURROGATE_MESSAGE = (
    "Текст содержит непарный суррогатный символ (U+D800–U+DFFF), его нельзя сохранить"
)
NON_FINITE_MESSAGE = "Ожидается конечное число: NaN и бесконечность не допускаются"
MESSAGES = {
    "nul_character": NUL_MESSAGE,
    "surrogate_character": SURROGATE_MESSAGE,
    "finite_number": NON_FINITE_MESSAGE,
}
_SURROGATE = re.compile("[\ud800-\udfff]")


class Clearable:
    """Marks a field of an `UpdateSchema` that `null` clears (its column is nullable)."""

    def __repr__(self) -> str:
        return "Clearable()"


CLEARABLE = Clearable()


def _strip_null(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """OpenAPI: a field that may not be cleared is optional, but not nullable."""
    for name, prop in schema.get("properties", {}).items():
        if _clearable(model, name):
            continue
        variants = prop.get("anyOf")
        if variants and {"type": "null"} in variants:
            rest = [v for v in variants if v != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if prop.get("default", ...) is None:
            del prop["default"]


def _clearable(model: type[BaseModel], name: str) -> bool:
    field = model.model_fields.get(name)
    if field is None:
        return False
    return any(isinstance(m, Clearable) for m in field.metadata)


def _in_reported_years(day: date) -> date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_out_of_range",
            "год {year} вне {low}–{high}: проверьте дату",
            {"year": day.year, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    return day


def _in_local_time(moment: datetime) -> datetime:
    aware = get_settings().aware(moment)
    try:
        in_utc = aware.astimezone(UTC)  # 9999-12-31T23:59:59-12:00 is past what UTC holds
    except OverflowError:
        in_utc = None
    if in_utc is None or not MIN_YEAR <= aware.year <= MAX_YEAR:
        raise PydanticCustomError(
            "datetime_out_of_range",
            "год {year} вне {low}–{high}: проверьте дату и время",
            {"year": aware.year, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    return aware


# A day a client sends (a collection's due date, a report's `as_of`, an event's date): ISO
# date, its year within the years periods are reported for (shared/periods MIN_YEAR–MAX_YEAR;
# 0001 or 9999 is a typo, and past them date arithmetic overflows): 422 naming the field.
ReportedDate = Annotated[date, AfterValidator(_in_reported_years)]

# A moment a client sends (a campaign's opening, a log's `since`): ISO 8601; one without an
# offset is a time in SOKO_TIMEZONE, as users see times (never compared naive with aware);
# its year within MIN_YEAR–MAX_YEAR as `ReportedDate`'s.
LocalDatetime = Annotated[datetime, AfterValidator(_in_local_time)]


class UpdateSchema(BaseModel):
    """Base of every `XUpdate` (PATCH body): each field optional, applied with
    `model_dump(exclude_unset=True)`. A field left out keeps its value; `null` clears it only
    where the field is `Annotated[... | None, CLEARABLE]`, elsewhere it is a 422 naming the field.
    A field the body may not change (unknown, or one fixed at creation) is a 422 naming it
    (`extra_forbidden`), not silently ignored.
    """

    model_config = ConfigDict(json_schema_extra=_strip_null, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name and not _clearable(cls, info.field_name):
            raise PydanticCustomError(
                "null_not_allowed", "Поле нельзя очистить: укажите значение или не передавайте его"
            )
        return value


def text_problem(text: str) -> str | None:
    """Why PostgreSQL cannot store this text ("nul_character", "surrogate_character"), or None."""
    if NUL in text:
        return "nul_character"
    if not text.isascii() and _SURROGATE.search(text):
        return "surrogate_character"
    return None


def printable(part: str | int) -> str | int:
    """A location's part as an error may show it: a surrogate written as its escape, since
    the answer itself is UTF-8 and could not carry it."""
    if isinstance(part, str) and text_problem(part) == "surrogate_character":
        return part.encode("utf-8", "backslashreplace").decode("ascii")
    return part


def unstorable_locations(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[list, str]]:
    """Where a JSON-like value holds what cannot be stored, and why: U+0000 or a lone
    surrogate in a key or a string, a non-finite number; at any depth."""
    if isinstance(value, str):
        if problem := text_problem(value):
            yield list(loc), problem
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield list(loc), "finite_number"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key)):
                yield [*loc, key], problem
            else:
                yield from unstorable_locations(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unstorable_locations(item, (*loc, index))


def _plainly_storable(value: Any) -> bool:
    """True when a JSON-like value certainly holds nothing unstorable: a loop over plain
    dicts, lists, texts and numbers, several times faster than `unstorable_locations` (a
    10,000-row bulk post), which is walked only when this says False (a problem, or a value
    of another class)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = item.__class__
        if kind is str:
            if NUL in item or (not item.isascii() and _SURROGATE.search(item)):
                return False
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif kind is dict:
            for key in item:
                if key.__class__ is not str or NUL in key:
                    return False
                if not key.isascii() and _SURROGATE.search(key):
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind not in _SCALARS:
            return False
    return True


_SCALARS = frozenset({int, bool, type(None)})


def unstorable_errors(value: Any, loc: Iterable[str | int]) -> list[dict[str, Any]]:
    """The `errors` entries of a 422 for each unstorable part of `value` (empty when none)."""
    if _plainly_storable(value):
        return []
    return [
        {"loc": [printable(p) for p in where], "msg": MESSAGES[kind], "type": kind}
        for where, kind in unstorable_locations(value, tuple(loc))
    ]


def _refusal(errors: list[dict[str, Any]]) -> Invalid:
    """One 422 for all of them: the detail says what is wrong, and where."""
    kinds = dict.fromkeys(e["msg"] for e in errors)
    fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
    return Invalid(f"{'; '.join(kinds)}: {fields}", errors=errors)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _body_kind(request: Request) -> str | None:
    """How FastAPI reads this route's body: "form" (the parsed form is then at hand), "json"
    (also without a content type), or None when the route declares no body."""
    route = request.scope.get("route")
    body = route.body_field if isinstance(route, APIRoute) else None
    if body is None:
        return None
    return "form" if isinstance(body.field_info, Form) else "json"


async def _body_errors(request: Request) -> list[dict[str, Any]]:
    content_type = request.headers.get("content-type", "")
    kind = _body_kind(request)
    if _is_json(content_type) or (kind == "json" and not content_type):
        if not await request.body():
            return []
        try:
            # FastAPI has read it already (Starlette keeps it): walking it costs about 1 ms
            # per 200 KB, less than a pattern search over the raw bytes.
            data = await request.json()
        except ValueError:
            return []  # not JSON: FastAPI's own validation names the body
        if repeated := repeated_key_errors(await request.body()):
            return repeated
        if getattr(request, "storable", False) is True:  # read by `shared.json_body.read`
            return []  # nothing to find: a 10,000-row post's walk (10 ms) spared
        return unstorable_errors(data, ("body",))
    if kind == "form":
        errors = []
        for name, item in (await request.form()).multi_items():
            if isinstance(item, UploadFile):  # a file's bytes may hold anything; its name not
                errors += unstorable_errors(item.filename or "", ("body", name, "filename"))
            else:
                errors += unstorable_errors({name: item}, ("body",))
        return errors
    return []


async def refuse_unstorable_input(request: Request) -> None:
    """422 naming each field that holds what cannot be stored: U+0000 or a lone surrogate in
    a path or query parameter (name or value), a JSON body's key or string at any depth, a
    form or multipart text field or a file's name; NaN or ±Infinity anywhere in a JSON body.

    A file's bytes are not text and pass. Magnitudes are the schemas' business (`Measure`).
    """
    errors = unstorable_errors(dict(request.path_params), ("path",))
    for name, value in request.query_params.multi_items():
        errors += unstorable_errors({name: value}, ("query",))
    errors += await _body_errors(request)
    if errors:
        raise _refusal(errors)


_BIND_SUFFIX = re.compile(r"_(?:m)?\d+$")


def _unstorable_parameter(value: Any) -> str | None:
    """Why a statement's parameter cannot be sent, or None (kept cheap for bulk writes)."""
    kind = value.__class__
    if kind is str:
        return text_problem(value)
    if kind is float:
        return None if math.isfinite(value) else "finite_number"
    if kind is list and (found := _flat_list_problem(value)) is not _NESTED:
        return found
    if kind is list or kind is dict or isinstance(value, list | dict):
        return next((problem for _, problem in unstorable_locations(value, ())), None)
    return None


# Parameter classes that can always be stored; an array of them and of texts (a region's
# organizations and their scope types) is checked item by item without a walk.
_PLAIN = frozenset({uuid.UUID, int, bool, type(None)})
_NESTED = "nested"
_TEXT, _FLOAT = frozenset({str}), frozenset({float})


def _flat_list_problem(value: list[Any]) -> str | None:
    """Why a flat array cannot be sent, None when it can, `_NESTED` when it holds more than
    ids, numbers and texts (walked then). An array of one plain class is checked at once."""
    kinds = set(map(type, value))
    if kinds <= _PLAIN:
        return None
    if kinds == _TEXT:
        joined = "".join(value)
        if NUL not in joined and (joined.isascii() or not _SURROGATE.search(joined)):
            return None
    elif kinds == _FLOAT and all(map(math.isfinite, value)):
        return None
    for item in value:
        kind = item.__class__
        if kind is str:
            if (problem := text_problem(item)) is not None:
                return problem
        elif kind is float:
            if not math.isfinite(item):
                return "finite_number"
        elif kind not in _PLAIN and not issubclass(kind, uuid.UUID):  # asyncpg's ids too
            return _NESTED
    return None


def refuse_unstorable_parameters(engine: AsyncEngine) -> None:
    """The last line: a statement with U+0000 or a lone surrogate in a text or JSON parameter,
    or a non-finite number in a float or JSON one, is not sent to PostgreSQL (which would fail
    it, or store a NaN no answer could show: a 500 either way) but refused as a 422 naming the
    column. What reaches the database from elsewhere than the request's fields (a cell of an
    uploaded file, a computed value) is caught here; the request's own fields are caught
    earlier, by `refuse_unstorable_input`."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def check(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: Any):
        for row in getattr(context, "compiled_parameters", None) or ():
            for name, value in row.items():
                if (problem := _unstorable_parameter(value)) is None:
                    continue
                column = _BIND_SUFFIX.sub("", name)
                raise _refusal([{"loc": [column], "msg": MESSAGES[problem], "type": problem}])
