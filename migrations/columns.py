"""Pieces of tables the version files share: recurring columns and constraints.

Frozen like the version files that use them: a function builds exactly what it built when a
revision first used it, so that every past revision keeps its meaning. A different shape is a
new function (or written out in the version file), never a change to one here. Nothing here
imports the services' models: migrations describe the schema as it was at each revision.

The version files import it as `migrations.columns`: the `migrations` package is importable
wherever Alembic runs them (shared/migrations.py imports it; the repository's alembic.ini puts
the repository root on the path).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def now_column(name: str) -> sa.Column:
    """`name timestamptz NOT NULL DEFAULT now()`."""
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def timestamps() -> list[sa.Column]:
    """`created_at` and `updated_at`, in that order: each a `now_column`."""
    return [now_column("created_at"), now_column("updated_at")]


def entity_columns() -> list[sa.Column]:
    """An entity's leading columns: `id uuid NOT NULL` (set by the service), then `timestamps()`.

    The primary key on `id` is the version file's own `sa.PrimaryKeyConstraint`.
    """
    return [sa.Column("id", sa.Uuid(), nullable=False), *timestamps()]


def foreign_key(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """`table.column` references `target.id` (`target` is "schema.table").

    Named `fk_<table>_<column>_<target table>` (the models' naming convention, spelled out);
    `ondelete` is the SQL action ("CASCADE", "RESTRICT", "SET NULL") or None for the default.
    """
    referred = target.split(".")[-1]
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{referred}"),
        ondelete=ondelete,
    )


def assessment_figures() -> list[sa.Column]:
    """The figures of an assessment result, each NULL when not given, in this order.

    `mark_2` … `mark_5` (integer: participants per mark), `score_distribution` (jsonb:
    {primary score: participants}), `mean_score` (double precision), `lowered`, `confirmed`,
    `raised` (integer: journal marks against the procedure's marks). As in
    `api.assessment_result` (0005) and its copy `reports.fact_assessment_result` (0015).
    """
    return [
        *(sa.Column(f"mark_{mark}", sa.Integer(), nullable=True) for mark in (2, 3, 4, 5)),
        sa.Column("score_distribution", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("mean_score", sa.Float(), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=True)
            for name in ("lowered", "confirmed", "raised")
        ),
    ]
