"""The tables of a change feed, as the models declare them (the migration creates them).

- Every source table gets `change_xid` and `change_seq` (its row's position, see positions.py)
  and an index on them. They are not mapped by the ORM: the database writes them (a new row's
  from the columns' defaults, a changed row's by the update trigger), no Python code does, and
  the audit log never sees them. `track()` adds them to a table model, marked as filled by the
  server (`FetchedValue`), so that no statement SQLAlchemy builds names them.
- `change_tombstone`: one row per deleted key (entity, key), with the deletion's position and
  time; deleted after the retention (SOKO_CHANGES_RETENTION_DAYS).
- `change_horizon`: one row, the highest position compaction removed (or a TRUNCATE passed):
  a cursor below it may have missed a deletion, and is answered 410.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    FetchedValue,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

POSITION_COLUMNS = ("change_xid", "change_seq")


def track(table: Table) -> Table:
    """Declare the position columns and their index on a source table (idempotent)."""
    if "change_xid" in table.c:
        return table
    for name in POSITION_COLUMNS:
        table.append_column(
            Column(
                name,
                BigInteger,
                nullable=False,
                server_default=FetchedValue(),
                server_onupdate=FetchedValue(),
            )
        )
    Index(f"ix_{table.name}_change", table.c.change_xid, table.c.change_seq)
    return table


def change_tables(metadata: MetaData, schema: str) -> tuple[Table, Table]:
    """The tombstones and the horizon of one service's feed (in its own schema)."""
    if (existing := metadata.tables.get(f"{schema}.change_tombstone")) is not None:
        return existing, metadata.tables[f"{schema}.change_horizon"]
    tombstones = Table(
        "change_tombstone",
        metadata,
        Column("entity", String(40), primary_key=True),
        Column("key", JSONB, primary_key=True),  # as the feed gives it: {"id": "..."}
        Column("change_xid", BigInteger, nullable=False),
        Column("change_seq", BigInteger, nullable=False),
        Column("deleted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_change_tombstone_change", "change_xid", "change_seq"),
        schema=schema,
    )
    horizon = Table(
        "change_horizon",
        metadata,
        Column("id", SmallInteger, primary_key=True, server_default=text("1")),
        Column("change_xid", BigInteger, nullable=False),
        Column("change_seq", BigInteger, nullable=False),
        Column("moved_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        CheckConstraint("id = 1", name="single_row"),
        schema=schema,
    )
    return tombstones, horizon
