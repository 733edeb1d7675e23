"""What a request must satisfy before any rule looks at it, and the building blocks of schemas.

Three kinds of input that PostgreSQL refuses, and that would otherwise surface as a 500 from
deep inside a service, are refused here with a 422 that names the field:

- integers beyond what a column holds: request schemas use the bounded types below
  (`Int32`, `Count`, `Offset`), and tests/test_openapi_guards.py fails on an unbounded integer
  in any of the three OpenAPI documents;
- an explicit `null` for a field that cannot be cleared: every `XUpdate` schema derives from
  `UpdateSchema`, which refuses null except for fields marked `Clearable`;
- the character U+0000, which no text or jsonb column can store: `refuse_nul_characters` checks
  path and query parameters, JSON bodies (keys and strings at any depth) and form and multipart
  text fields of every API request before the endpoint runs; `refuse_nul_parameters` stops any
  that reaches a statement by another way (a cell of an uploaded file) before PostgreSQL.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any

from fastapi import Request
from fastapi.params import Form
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import UploadFile

from shared.errors import Invalid

# PostgreSQL's `integer` (most of our integer columns) and `bigint`.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A number of things (students, rows, an offset): 0 to 2,147,483,647."""
PositiveInt32 = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A version or another 1-based number: 1 to 2,147,483,647."""

NUL = "\x00"
NUL_MESSAGE = "Текст содержит недопустимый символ U+0000"


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


class UpdateSchema(BaseModel):
    """Base of every `XUpdate` (PATCH body): each field optional, applied with
    `model_dump(exclude_unset=True)`. A field left out keeps its value; `null` clears it only
    where the field is `Annotated[... | None, CLEARABLE]`, elsewhere it is a 422 naming the field.
    """

    model_config = ConfigDict(json_schema_extra=_strip_null)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name and not _clearable(cls, info.field_name):
            raise PydanticCustomError(
                "null_not_allowed", "Поле нельзя очистить: укажите значение или не передавайте его"
            )
        return value


def nul_locations(value: Any, loc: tuple[str | int, ...]) -> Iterator[list[str | int]]:
    """Where U+0000 occurs in a JSON-like value: keys and strings at any depth."""
    if isinstance(value, str):
        if NUL in value:
            yield list(loc)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and NUL in key:
                yield [*loc, key]
            else:
                yield from nul_locations(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from nul_locations(item, (*loc, index))


def nul_errors(value: Any, loc: Iterable[str | int]) -> list[dict[str, Any]]:
    """The `errors` entries of a 422 for each U+0000 in `value` (empty when there is none)."""
    return [
        {"loc": where, "msg": NUL_MESSAGE, "type": "nul_character"}
        for where in nul_locations(value, tuple(loc))
    ]


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
        raw = await request.body()
        # UTF-8 JSON carries U+0000 only as the escape \u0000; other encodings are walked.
        if b"\\u0000" not in raw and b"\x00" not in raw[:4]:
            return []
        try:
            data = await request.json()
        except ValueError:
            return []  # not JSON: FastAPI's own validation names the body
        return nul_errors(data, ("body",))
    if kind == "form":
        errors = []
        for name, item in (await request.form()).multi_items():
            if isinstance(item, UploadFile):  # a file's bytes may hold NUL; its name may not
                errors += nul_errors(item.filename or "", ("body", name, "filename"))
            else:
                errors += nul_errors({name: item}, ("body",))
        return errors
    return []


async def refuse_nul_characters(request: Request) -> None:
    """422 naming each field that holds U+0000: a path or query parameter (name or value), a
    JSON body's key or string at any depth, a form or multipart text field or a file's name.

    PostgreSQL stores no U+0000 in text or jsonb; a file's bytes are not text and pass.
    """
    errors = nul_errors(dict(request.path_params), ("path",))
    for name, value in request.query_params.multi_items():
        errors += nul_errors({name: value}, ("query",))
    errors += await _body_errors(request)
    if errors:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors)
        raise Invalid(f"{NUL_MESSAGE}: {fields}", errors=errors)


_BIND_SUFFIX = re.compile(r"_(?:m)?\d+$")


def refuse_nul_parameters(engine: AsyncEngine) -> None:
    """The last line: a statement with U+0000 in a text or JSON parameter is not sent to
    PostgreSQL (which would fail it, a 500) but refused as a 422 naming the column. Text that
    reaches the database from elsewhere than the request's fields (a cell of an uploaded file)
    is caught here; the request's own fields are caught earlier, by `refuse_nul_characters`."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def check(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: Any):
        for row in getattr(context, "compiled_parameters", None) or ():
            for name, value in row.items():
                if value.__class__ is str:  # the common case, kept cheap for bulk writes
                    if NUL not in value:
                        continue
                elif (
                    not isinstance(value, dict | list)
                    or next(nul_locations(value, ()), None) is None
                ):
                    continue
                column = _BIND_SUFFIX.sub("", name)
                raise Invalid(
                    f"{NUL_MESSAGE}: {column}",
                    errors=[{"loc": [column], "msg": NUL_MESSAGE, "type": "nul_character"}],
                )
