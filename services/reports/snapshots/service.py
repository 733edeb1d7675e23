"""Stored computations: look one up by the versions of its inputs, store one, find one by date.

A snapshot's key is the report (`kind`), its scope and period, and whose view of the data it
is (`view`): the peers answer with the organizations the caller may read, and withhold small
groups of teachers' results from those who may not read personal results, so two callers of
different scopes or rights may get different figures for the same scope. The view is kept in
`inputs` beside the peers' versions, so it is part of `inputs_hash` and of the unique key.
"""

import gzip
import hashlib
import json
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.snapshots.models import Snapshot
from shared.db import utcnow
from shared.identity import Principal


@dataclass(frozen=True)
class SnapshotKey:
    kind: str  # indicator_values, pd_order, ...
    scope_type: str
    scope_id: uuid.UUID
    period: str
    view: str = "all"  # see view_of()


def view_of(principal: Principal, *, personal: bool) -> str:
    """Whose view of the data a computation is: the caller's scope ("all" for administrators
    and services), which the peers filter by, and whether small groups of teachers' personal
    results are in it (`personal`: the caller reads them and did not ask for the public view).

    A view without personal results ends in ":aggregates": computations stored before the
    surveys service withheld identified campaigns' small groups had no such suffix, and are
    never served to someone who may not read personal results."""
    if principal.unrestricted:
        base = "all"
    else:
        scope_type = principal.scope_type.value if principal.scope_type else None
        base = f"{scope_type}:{principal.scope_id}"
    return base if personal else f"{base}:aggregates"


def _inputs(key: SnapshotKey, inputs: dict[str, Any]) -> dict[str, Any]:
    return {**inputs, "view": key.view}


def inputs_hash(key: SnapshotKey, inputs: dict[str, Any]) -> str:
    """The hash a computation with these inputs (peers' versions) is stored under."""
    canonical = json.dumps(_inputs(key, inputs), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def encode(body: Any) -> bytes:
    return gzip.compress(json.dumps(body, default=str, ensure_ascii=False).encode())


def decode(snapshot: Snapshot) -> Any:
    """The stored body, as JSON (ids and dates as strings)."""
    return json.loads(gzip.decompress(snapshot.body))


T = TypeVar("T")


class DecodedSnapshots:
    """The decoded bodies of the last few snapshots this process served, by snapshot id: paging
    through a region's values (84,000 items, 169 pages) decodes its snapshot once, not once a
    page. One per app (`app.state.decoded_snapshots`, made in its lifespan).

    Kept per process, and yet no two processes can disagree through it: which snapshot a request
    serves is decided in PostgreSQL (by the peers' data versions, `latest` and `as_of`), and
    what is kept here is only what a snapshot id decodes to, which never changes, since the
    database refuses to change a stored snapshot's body (trigger of migration 0012). Callers
    must not change what they get.
    """

    def __init__(self, kept: int = 4) -> None:
        self.kept = kept
        self._bodies: OrderedDict[uuid.UUID, Any] = OrderedDict()

    def body(self, snapshot: Snapshot, parse: Callable[[Any], T]) -> T:
        """`parse(decode(snapshot))`, computed once per snapshot id while it is kept."""
        if (found := self._bodies.get(snapshot.id)) is None:
            found = self._bodies[snapshot.id] = parse(decode(snapshot))
            while len(self._bodies) > self.kept:
                self._bodies.popitem(last=False)
        self._bodies.move_to_end(snapshot.id)
        return found

    def __contains__(self, snapshot_id: object) -> bool:
        return snapshot_id in self._bodies

    def __len__(self) -> int:
        return len(self._bodies)


def _of(key: SnapshotKey) -> list[Any]:
    return [
        Snapshot.kind == key.kind,
        Snapshot.scope_type == key.scope_type,
        Snapshot.scope_id == key.scope_id,
        Snapshot.period == key.period,
    ]


async def latest(session: AsyncSession, key: SnapshotKey, digest: str) -> Snapshot | None:
    """The computation stored for these inputs (`inputs_hash`), if any."""
    return await session.scalar(select(Snapshot).where(*_of(key), Snapshot.inputs_hash == digest))


async def store(
    session: AsyncSession, key: SnapshotKey, inputs: dict[str, Any], body: Any
) -> Snapshot:
    """Store a computation; when the same one (same key and inputs) is already stored, for
    instance by a concurrent request, keep that one and return it."""
    digest = inputs_hash(key, inputs)
    statement = (
        insert(Snapshot)
        .values(
            id=uuid.uuid4(),
            kind=key.kind,
            scope_type=key.scope_type,
            scope_id=key.scope_id,
            period=key.period,
            inputs=_inputs(key, inputs),
            inputs_hash=digest,
            body=encode(body),
            computed_at=utcnow(),
        )
        .on_conflict_do_nothing(constraint="uq_snapshot_inputs")
        .returning(Snapshot.id)
    )
    stored = await session.scalar(statement)
    found = await (session.get(Snapshot, stored) if stored else latest(session, key, digest))
    assert found is not None  # inserted now, or the conflicting row committed before
    return found


async def as_of(session: AsyncSession, key: SnapshotKey, moment: datetime) -> Snapshot | None:
    """The latest computation stored at or before a moment: the report as it was shown then."""
    return await session.scalar(
        select(Snapshot)
        .where(
            *_of(key),
            Snapshot.inputs["view"].astext == key.view,
            Snapshot.computed_at <= moment,
        )
        .order_by(Snapshot.computed_at.desc())
        .limit(1)
    )
