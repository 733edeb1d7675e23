"""Operations the version files share: plain indexes, the idempotency-key table, update guards.

Frozen like `migrations.columns` (see there): what a function here does for a past revision
never changes; a different shape is a new function. Never imports the services' models.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import now_column


def _column_index_name(table: str, column: str, schema: str) -> str:
    return f"ix_{schema}_{table}_{column}"


def create_index_on(table: str, column: str, *, schema: str) -> None:
    """A plain (non-unique, b-tree) index on one column, named `ix_<schema>_<table>_<column>`."""
    op.create_index(
        op.f(_column_index_name(table, column, schema)),
        table,
        [column],
        unique=False,
        schema=schema,
    )


def drop_index_on(table: str, column: str, *, schema: str) -> None:
    """Drops the index `create_index_on` made."""
    op.drop_index(op.f(_column_index_name(table, column, schema)), table_name=table, schema=schema)


def create_idempotency_key_table(schema: str) -> None:
    """`<schema>.idempotency_key` as revisions 0004 (api) and 0006 (surveys) created it.

    Columns: id bigint identity, principal varchar(100), key varchar(200), method varchar(10),
    path varchar(500), request_hash varchar(64), status_code integer NULL, response jsonb NULL,
    created_at (`now_column`); unique (principal, key). Revision 0009 reshapes it.
    """
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        now_column("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("principal", "key", name="uq_idempotency_key_principal_key"),
        schema=schema,
    )


# The function body as PostgreSQL keeps it (and pg_dump prints it): keep it to the character.
_REFUSE_UPDATE = """
        CREATE FUNCTION {function}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{message}', OLD.id;
        END
        $$
        """


def create_update_guard(table: str, name: str, *, message: str, when: str) -> None:
    """A trigger `name` on `table` ("schema.table") refusing an UPDATE of a row when `when`.

    Makes the function `<schema>.<name>()` raising `message` (one `%` for the row's `id`) and a
    BEFORE UPDATE FOR EACH ROW trigger of the same name calling it under `WHEN (<when>)`.
    """
    function = f"{table.split('.')[0]}.{name}"
    op.execute(_REFUSE_UPDATE.format(function=function, message=message))
    op.execute(
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW "
        f"WHEN ({when}) EXECUTE FUNCTION {function}()"
    )


def drop_update_guard(table: str, name: str) -> None:
    """Drops the trigger and the function `create_update_guard` made."""
    op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute(f"DROP FUNCTION {table.split('.')[0]}.{name}()")


# A tracked table's triggers as revision 0013 made them (its `TRIGGERS`), on the functions it
# made in the table's schema: `{t}` the table, `{s}` its schema, `{args}` the entity and key
# columns quoted, `{old}`/`{new}` the key columns of OLD and NEW.
_CHANGE_TRIGGERS = (
    """CREATE TRIGGER changes_stamp_insert BEFORE INSERT ON {t}
    FOR EACH ROW EXECUTE FUNCTION {s}.changes_stamp()""",
    """CREATE TRIGGER changes_stamp_update BEFORE UPDATE ON {t}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {s}.changes_stamp()""",
    """CREATE TRIGGER changes_key_moved AFTER UPDATE ON {t}
    FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new}))
    EXECUTE FUNCTION {s}.changes_key_moved({args})""",
    """CREATE TRIGGER changes_deleted AFTER DELETE ON {t}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_deleted({args})""",
    """CREATE TRIGGER changes_notify AFTER INSERT OR UPDATE OR DELETE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_notify()""",
    """CREATE TRIGGER changes_truncated AFTER TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_truncated()""",
)
_CHANGE_TRIGGER_NAMES = tuple(statement.split()[2] for statement in _CHANGE_TRIGGERS)


def track_changes(table: str, entity: str, key: tuple[str, ...]) -> None:
    """Put an existing table ("schema.table") in its schema's change feed as entity `entity`
    with key columns `key`, as revision 0013 did for the tables it tracked.

    Adds `change_xid bigint NOT NULL` and `change_seq bigint NOT NULL`, the index
    `ix_<table>_change` on both, and the six triggers of 0013 on the functions 0013 made in
    the schema. Rows already there get the migrating transaction's id and a number each of
    `<schema>.change_seq`: positions after every cursor a reader holds (0013 could use
    transaction 0, before any reader existed), so a follower gets them without a resync.
    A revision after 0031 follows it with `stamp_positions_by_default` (the shape 0031 gave
    every tracked table; tests/test_change_positions.py checks every entity has it).
    """
    schema, name = table.split(".")
    op.execute(
        f"ALTER TABLE {table} "
        "ADD COLUMN change_xid bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint, "
        f"ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('{schema}.change_seq')"
    )
    op.execute(
        f"ALTER TABLE {table} ALTER COLUMN change_xid DROP DEFAULT, "
        "ALTER COLUMN change_seq DROP DEFAULT"
    )
    op.create_index(f"ix_{name}_change", name, ["change_xid", "change_seq"], schema=schema)
    names = {
        "t": table,
        "s": schema,
        "args": ", ".join(f"'{n}'" for n in (entity, *key)),
        "old": ", ".join(f"OLD.{c}" for c in key),
        "new": ", ".join(f"NEW.{c}" for c in key),
    }
    for statement in _CHANGE_TRIGGERS:
        op.execute(statement.format(**names))


def untrack_changes(table: str) -> None:
    """Undoes `track_changes`: drops the six triggers, the index and the position columns."""
    schema, name = table.split(".")
    for trigger in _CHANGE_TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.drop_index(f"ix_{name}_change", table_name=name, schema=schema)
    op.drop_column(name, "change_seq", schema=schema)
    op.drop_column(name, "change_xid", schema=schema)


_XID = "pg_current_xact_id()::text::bigint"
# Tables of anonymous answers keep no column default that draws from a sequence
# (tests/surveys/test_anonymity.py): their positions stay the insert trigger's, as 0013 made them.
ANONYMOUS = frozenset({"surveys.answer_tally"})


def stamp_positions_by_default(table: str) -> None:
    """A table `track_changes` put in a feed ("schema.table") gets its new rows' positions from
    its columns' defaults (`pg_current_xact_id()::text::bigint`, `nextval('<schema>.change_seq')`)
    instead of a plpgsql call per row, as revision 0031 did: `changes_stamp_insert` is made a
    guard, called only for a row that names a position of its own — a `change_xid` other than
    the writing transaction's, or a `change_seq` other than the number its default just drew
    (`currval`, the row's own `nextval`: defaults are evaluated row by row, before the row's
    BEFORE triggers, for VALUES, INSERT … SELECT and COPY alike). Such a row is stamped as
    before, so no writer can give two rows one position; one naming its `change_seq` in a
    session that has drawn no number yet is refused (`currval` is not defined there)."""
    schema = table.split(".")[0]
    op.execute(
        f"ALTER TABLE {table} ALTER COLUMN change_xid SET DEFAULT {_XID}, "
        f"ALTER COLUMN change_seq SET DEFAULT nextval('{schema}.change_seq')"
    )
    op.execute(f"DROP TRIGGER changes_stamp_insert ON {table}")
    op.execute(
        f"CREATE TRIGGER changes_stamp_insert BEFORE INSERT ON {table} "
        f"FOR EACH ROW WHEN (NEW.change_xid IS DISTINCT FROM {_XID} "
        f"OR NEW.change_seq IS DISTINCT FROM currval('{schema}.change_seq')) "
        f"EXECUTE FUNCTION {schema}.changes_stamp()"
    )


def stamp_positions_by_trigger(table: str) -> None:
    """Undoes `stamp_positions_by_default`: the unguarded trigger of `track_changes` again, the
    position columns without defaults."""
    op.execute(f"DROP TRIGGER changes_stamp_insert ON {table}")
    op.execute(_CHANGE_TRIGGERS[0].format(t=table, s=table.split(".")[0]))
    op.execute(
        f"ALTER TABLE {table} ALTER COLUMN change_xid DROP DEFAULT, "
        "ALTER COLUMN change_seq DROP DEFAULT"
    )


def create_fact_table(
    name: str, key: dict[str, sa.types.TypeEngine], state: dict[str, sa.types.TypeEngine]
) -> None:
    """`reports.<name>`, a fact the reports service keeps from a feed: the `key` columns NOT
    NULL and its primary key `pk_<name>`, then the `state` columns, each nullable, in the
    order given."""
    op.create_table(
        name,
        *(sa.Column(column, type_, nullable=False) for column, type_ in key.items()),
        *(sa.Column(column, type_, nullable=True) for column, type_ in state.items()),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
        schema="reports",
    )
