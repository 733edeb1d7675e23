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
