"""A bulk post's JSON body read with orjson, answering exactly as the standard reader would.

A 10,000-row post is about 1.3 MB of JSON: `json.loads` takes 13 ms of it, orjson 3.5 ms. orjson
reads every body the standard reader reads to the same values, but for a few it refuses or
reads otherwise: NaN and ±Infinity, numbers past a double's range (1e400), lone surrogates
(`\\ud800`), encodings other than UTF-8 (all refused: the standard reader takes them, and
`shared.validation` then names the field in a 422), and integers past 64 bits (read as a float,
where the standard reader keeps the integer). A body orjson refuses, or that holds a run of 19
digits or more, is read by the standard reader: the answer is the same either way. What orjson
reads holds nothing PostgreSQL cannot store unless a `\\u0000` is in it, so such a body is not
walked again for it (`read`, `shared.validation`).
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from shared.uploads.http import BODY_LIMIT

# A 64-bit integer has at most 19 digits: a run of 19 found as 19 zeros once every digit is a
# zero and every other byte a space (1 ms for 1.3 MB, where a pattern search took 12 ms).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGITS = b"0" * 19
_NUL = b"\\u0000"  # the only way to write U+0000 in JSON that orjson reads


def read(body: bytes) -> tuple[Any, bool]:
    """The value of a JSON body, as `json.loads` reads it (its errors too), and whether it
    certainly holds nothing PostgreSQL cannot store (`shared.validation`): orjson read it (it
    refuses NaN, ±Infinity, numbers past a double's range and lone surrogates) and no
    `\\u0000` is in it; False says only that the value must be walked to know."""
    if _LONG_DIGITS not in body.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(body), _NUL not in body
        except orjson.JSONDecodeError:
            pass
    return json.loads(body), False


def loads(body: bytes) -> Any:
    """The value of a JSON body, as `json.loads` reads it (its errors too)."""
    return read(body)[0]


class _FastJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json, self.storable = read(await self.body())
        return self._json


class FastJsonRoute(APIRoute):
    """A route whose JSON body is read by `loads` (FastAPI and the global checks of
    `shared.validation` read the same parsed body), of bulk rows: held to the upload limit,
    not SOKO_JSON_MAX_BYTES (shared/uploads/http.py `BodyLimit`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_fast(request: Request) -> Response:
            if limit := request.scope.get(BODY_LIMIT):
                limit.bulk()  # bulk rows: the upload limit, not SOKO_JSON_MAX_BYTES
            return await handler(_FastJsonRequest(request.scope, request.receive))

        return read_fast


def held_to(max_bytes: int) -> type[APIRoute]:
    """A route class whose body is read no further than `max_bytes` (413 problem+json past it,
    `BodyLimit.hold`), for a route open to anyone whose bodies are small: a body is parsed and
    validated whole before the endpoint runs, and 4 MiB of one object's keys takes 2 s."""

    class HeldRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def held(request: Request) -> Response:
                if limit := request.scope.get(BODY_LIMIT):
                    limit.hold(max_bytes)
                return await handler(request)

            return held

    return HeldRoute


# RFC 8259 §4: names within an object SHOULD be unique; where they are not, readers differ.
REPEATED_KEY_MESSAGE = (
    "поле указано в объекте несколько раз: непонятно, какое значение взять — оставьте одно"
)


class _Repeated(dict):
    """An object of a body that names `key` more than once (its last value kept, as read)."""

    key: str


def repeated_key_errors(body: bytes, loc: tuple[str | int, ...] = ("body",)) -> list[dict]:
    """The `errors` entries of a 422 (loc, msg, type `repeated_key`) for each object of a JSON
    body that names one key twice — `{"answers": {"q1": 2, "q1": 5}}`, a bulk row with two
    `value`s — at its place (`body.answers.q1`, `body.rows.3.value`); empty when there is
    none or the body is not JSON (FastAPI names that). Every reader keeps one of the values
    silently (Python's and orjson the last): the sender meant something we cannot know.

    A second reading of the body: about 12 ms for a 10,000-row bulk post (1.4 MB), where the
    import takes over a second; the walk to find the places runs only when a key repeats."""
    seen = False

    def pairs(items: list[tuple[str, Any]]) -> dict:
        nonlocal seen
        value = dict(items)
        if len(value) == len(items):
            return value
        seen = True
        names = [name for name, _ in items]
        marked = _Repeated(value)
        marked.key = next(name for name in names if names.count(name) > 1)
        return marked

    try:
        data = json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return []  # not JSON: read and named elsewhere
    if not seen:
        return []
    return [
        {"loc": [*where], "msg": REPEATED_KEY_MESSAGE, "type": "repeated_key"}
        for where in _repeated_places(data, loc)
    ]


def _repeated_places(value: Any, loc: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    """Where `repeated_key_errors`' marked objects are, each with its repeated key."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, _Repeated):
        found.append((*loc, value.key))
    if isinstance(value, dict):
        for key, item in value.items():
            found += _repeated_places(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _repeated_places(item, (*loc, index))
    return found
