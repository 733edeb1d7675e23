"""Optimistic concurrency for the three services: entity tags of editable resources and the
`If-Match` precondition of their changes (RFC 9110 §8.8.3, §13.1.1).

A resource's ETag is a strong validator of its stored state: the SHA-256 of the canonical JSON
PostgreSQL gives its row (`to_jsonb`, keys in a fixed order), together with the rows of the
child tables its change writes (a cluster's members), without the change feed's position
columns (bookkeeping, not state). Computed in SQL from what is stored, the same way for a GET
and after a change, so no version column is needed; any stored change gives another tag, and a
change that stores nothing keeps it. It validates the resource's own state (what its PATCH
changes), not figures a GET computes around it (a roadmap's progress as of a day).

A change with `If-Match` (the `precondition` block around the service call):

- the row is locked (`SELECT … FOR UPDATE`) and its tag read afresh in a later statement, so of
  two writers holding one tag the second waits for the first and then sees its tag change;
- the change runs in a savepoint; when the tag held did not match, it is rolled back and the
  answer is 412 problem+json naming the header: nothing is stored. Judged once the service
  ran, so that what it answers before reading the content (401, 403, 404) comes first, as
  RFC 9110 §13.2.1 asks, while its refusal of the content (409, 422: judged against a state
  the sender did not see) gives way to the 412;
- `*` matches any existing resource; weak tags (`W/"…"`) never match (strong comparison);
- a malformed header is answered 422 naming it (`loc` ["header", "If-Match"], as every field
  Soko cannot read), never 412: a client that sent garbage must not take it for a concurrent
  change and retry forever.

Without `If-Match` a change runs as before; either way its answer carries the new `ETag`.
"""

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import SokoError, problem_response
from shared.headers import ETAG_HEADER, IF_MATCH_HEADER

# Positions in a service's change feed (migrations/operations.py track_changes): rewritten by
# the feed's own upkeep, they are not what a person edits.
BOOKKEEPING = ("change_xid", "change_seq")

STALE = (
    "Запись изменил другой пользователь после того, как вы её открыли: откройте её заново "
    "и повторите изменение"
)
# What a change answers before its precondition is judged (RFC 9110 §13.2.1: the answer it
# would get without the header, before its content is processed): who may, what exists; and
# server errors, which say nothing of the state.
ANSWERED_FIRST = frozenset({401, 403, 404, 429, 500, 502, 503, 504})
_PREPARER = postgresql.dialect().identifier_preparer
# `*` or a list of entity tags, as the OpenAPI documents `If-Match` (ASCII tags: ours are hex).
IF_MATCH_PATTERN = r'^\s*(\*|(W/)?"[\x21\x23-\x7e]*"(\s*,\s*(W/)?"[\x21\x23-\x7e]*")*)\s*$'
# One entity-tag of RFC 9110 §8.8.3: an optional weakness mark, then an opaque quoted string.
_ENTITY_TAG = re.compile(r'\s*((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


class PreconditionFailed(SokoError):
    """412: the `If-Match` sent is not the resource's current ETag; nothing was changed."""

    status, slug, detail = 412, "precondition-failed", STALE
    documented = (
        "`If-Match` does not match the resource's current `ETag` (someone changed it since it "
        "was read): nothing was changed; read it again (GET) and repeat the change"
    )

    def __init__(self) -> None:
        super().__init__(errors=[{"loc": ["header", IF_MATCH_HEADER], "msg": STALE}])


class MalformedIfMatch(SokoError):
    """422: an `If-Match` that is neither `*` nor a list of entity tags."""

    status, slug = 422, "malformed-if-match"
    detail = 'Заголовок If-Match должен быть «*» или списком меток в кавычках, например "abc"'
    documented = 'Malformed `If-Match`: neither `*` nor a list of entity tags (`"…"`)'

    def __init__(self) -> None:
        super().__init__(errors=[{"loc": ["header", IF_MATCH_HEADER], "msg": self.detail}])


@dataclass(frozen=True)
class IfMatch:
    """A parsed `If-Match`: `*` (`any_`) or the entity tags sent, as sent (quotes included)."""

    any_: bool = False
    tags: tuple[str, ...] = ()

    def matches(self, current: str | None) -> bool:
        """Strong comparison with the resource's current tag (None: no such resource)."""
        return current is not None and (self.any_ or current in self.tags)


def parse_if_match(value: str) -> IfMatch:
    """`*` or a comma-separated list of entity tags (empty items allowed, as RFC 9110 §5.6.1
    lets a list have); MalformedIfMatch (422) for anything else."""
    if value.strip() == "*":
        return IfMatch(any_=True)
    tags: list[str] = []
    position, rest = 0, value.rstrip()
    while position < len(rest):
        if rest[position] in " \t,":
            position += 1
            continue
        found = _ENTITY_TAG.match(rest, position)
        if found is None:
            raise MalformedIfMatch()
        tags.append(found.group(1))
        position = found.end()
    if not tags:
        raise MalformedIfMatch()
    return IfMatch(tags=tuple(tags))


def _documented_if_match(schema: dict[str, Any]) -> None:
    """The header's OpenAPI schema: a string of `IF_MATCH_PATTERN` (not «string or null»: a
    header is absent, never null)."""
    schema.pop("anyOf", None)
    schema.update(type="string", pattern=IF_MATCH_PATTERN)


async def if_match(
    request: Request,
    header: Annotated[
        str | None,
        Header(
            alias=IF_MATCH_HEADER,
            description=(
                "The `ETag` the change is based on (from the resource's GET or the last "
                "change's answer): when the resource has changed since, nothing is changed "
                'and the answer is 412. `*` matches any existing resource; `"…"` tags only, '
                "weak ones never match; malformed: 422. Without it the change is applied as is."
            ),
            # The form documented (a client, and the API fuzzing, send only it): a string of
            # that pattern when sent, never a JSON null; checked by `parse_if_match`, so that
            # a malformed one is our 422 naming it.
            json_schema_extra=_documented_if_match,
        ),
    ] = None,
) -> IfMatch | None:
    """The request's `If-Match` (several header lines are one list), or None without it."""
    if header is None:
        return None
    return parse_if_match(", ".join(request.headers.getlist(IF_MATCH_HEADER)))


IfMatchDep = Annotated[IfMatch | None, Depends(if_match)]


@dataclass(frozen=True)
class Versioned:
    """What a resource's state is: the row of `table` whose `key` column is the resource's id,
    and the rows of each `children` table whose named column points to it, less the columns
    in `exclude` (secrets, counters that are not the resource's state) and BOOKKEEPING."""

    table: Table
    key: str = "id"
    children: tuple[tuple[Table, str], ...] = ()
    exclude: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls, model: Any, *, children: Sequence[tuple[Any, str]] = (), exclude: Sequence[str] = ()
    ) -> "Versioned":
        """The state of a table model's rows (and its child models' rows)."""
        return cls(
            table=model.__table__,
            children=tuple((child.__table__, column) for child, column in children),
            exclude=tuple(exclude),
        )

    def _sql(self, *, lock: bool) -> str:
        # Only the models' own table and column names, quoted, go into the text: no input.
        table, key = _PREPARER.format_table(self.table), _PREPARER.quote(self.key)
        if lock:
            return f"SELECT 1 FROM {table} WHERE {key} = :key FOR UPDATE"  # noqa: S608
        state = ["'row', to_jsonb(t) - CAST(:excluded AS text[])"]
        for number, (child, column) in enumerate(self.children):
            rows = "to_jsonb(c) - CAST(:excluded AS text[])"
            state.append(
                f"'children{number}', (SELECT coalesce"  # noqa: S608
                f"(jsonb_agg({rows} ORDER BY {rows}), "
                f"'[]'::jsonb) FROM {_PREPARER.format_table(child)} AS c "
                f"WHERE c.{_PREPARER.quote(column)} = t.{key})"
            )
        canonical = f"jsonb_build_object({', '.join(state)})::text"
        digest = f"encode(sha256(convert_to({canonical}, 'UTF8')), 'hex')"
        return f"SELECT {digest} FROM {table} AS t WHERE t.{key} = :key"  # noqa: S608

    async def tag(self, session: AsyncSession, key: Any) -> str | None:
        """The resource's current ETag (`"<sha256 hex>"`, quotes included), None without it."""
        excluded = [*BOOKKEEPING, *self.exclude]
        digest = await session.scalar(
            text(self._sql(lock=False)), {"key": key, "excluded": excluded}
        )
        return None if digest is None else f'"{digest}"'

    async def locked_tag(self, session: AsyncSession, key: Any) -> str | None:
        """The tag once the row is locked until the transaction ends: read in a statement after
        the lock's, so that it sees what a writer that held the lock before committed."""
        await session.execute(text(self._sql(lock=True)), {"key": key})
        return await self.tag(session, key)


async def tag_response(
    response: Response, session: AsyncSession, state: Versioned, key: Any
) -> None:
    """Put the resource's current ETag on a GET's answer (none when it is gone)."""
    current = await state.tag(session, key)
    if current is not None:
        response.headers[ETAG_HEADER] = current


@asynccontextmanager
async def precondition(
    session: AsyncSession,
    state: Versioned,
    key: Any,
    condition: IfMatch | None,
    response: Response | None = None,
) -> AsyncIterator[None]:
    """Run a change (the block) under `condition`, then put the new ETag on `response` (a
    page's handler, which redirects, passes none).

    With a condition: the row is locked and its tag read first, the block runs in a savepoint,
    and PreconditionFailed (412) rolls it back when the tag did not match, also in place of
    a refusal of the request's content (409, 422) the block raised; its ANSWERED_FIRST errors
    (who may, what exists) and server errors pass as they are. Without a condition the block
    just runs."""
    if condition is None:
        yield
    else:
        held = await state.locked_tag(session, key)
        try:
            async with session.begin_nested():
                yield
                if not condition.matches(held):
                    raise PreconditionFailed()
        except SokoError as refused:
            if condition.matches(held) or refused.status in ANSWERED_FIRST:
                raise
            # A refusal of what was sent (409, 422) judged the state someone else left: the
            # sender's own change was based on another, which is what they must hear.
            raise PreconditionFailed() from refused
    if response is not None:
        await session.flush()
        await tag_response(response, session, state, key)


# What a tagged GET and a conditional change document besides their own answers (OpenAPI).
_ETAG_DOC = {
    ETAG_HEADER: {
        "description": "Strong validator of the resource's stored state: send it back as "
        "`If-Match` to change the resource only if nobody changed it since",
        "schema": {"type": "string"},
    }
}
TAGGED: dict[int | str, dict[str, Any]] = {200: {"headers": _ETAG_DOC}}
CONDITIONAL: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG_DOC},
    412: problem_response(PreconditionFailed.documented),
}
