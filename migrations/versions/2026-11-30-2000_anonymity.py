"""Anonymity: no order or time finer than a day in anonymous responses; a shared rate limit

- `surveys.answer` loses its global sequence (`id`): its key is (response_id, question). A
  `multiple` question's answer was one row per chosen option: its rows are folded into one
  row whose `options` holds them (in the order they were stored), positive if any was.
- `idempotency_key` (api and surveys) keeps a SHA-256 of the key and the day, no sequence, no
  time, no path; existing rows are converted, so retries in flight still replay.
- `surveys.response.channel`: "web" or "paper" (keyed in by an operator).
- `surveys.rate_limit`: UNLOGGED counters per hashed address and window.

Revision ID: 0009_anonymity
Revises: 0008_reports
Create Date: 2026-11-30 20:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_anonymity"
down_revision: str | None = "0008_reports"

SCHEMAS = ("api", "surveys")


def _idempotency_upgrade(schema: str) -> None:
    op.add_column("idempotency_key", sa.Column("key_hash", sa.String(64)), schema=schema)
    op.add_column(
        "idempotency_key",
        sa.Column("created_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        schema=schema,
    )
    # Only the two schema names above are interpolated.
    op.execute(
        f"UPDATE {schema}.idempotency_key "  # noqa: S608
        "SET key_hash = encode(sha256(convert_to(key, 'UTF8')), 'hex'), "
        "created_on = created_at::date"
    )
    op.execute(f"DELETE FROM {schema}.idempotency_key WHERE created_on < CURRENT_DATE - 1")  # noqa: S608
    op.alter_column("idempotency_key", "key_hash", nullable=False, schema=schema)
    op.drop_constraint("pk_idempotency_key", "idempotency_key", schema=schema, type_="primary")
    op.drop_constraint(
        "uq_idempotency_key_principal_key", "idempotency_key", schema=schema, type_="unique"
    )
    for column in ("id", "key", "method", "path", "created_at"):
        op.drop_column("idempotency_key", column, schema=schema)
    op.create_primary_key(
        "pk_idempotency_key", "idempotency_key", ["principal", "key_hash"], schema=schema
    )
    op.create_index(
        f"ix_{schema}_idempotency_key_created_on",
        "idempotency_key",
        ["created_on"],
        schema=schema,
    )


def _idempotency_downgrade(schema: str) -> None:
    # The keys themselves are gone (only their hashes were kept): the records cannot come back.
    op.execute(f"DELETE FROM {schema}.idempotency_key")  # noqa: S608
    op.drop_index(
        f"ix_{schema}_idempotency_key_created_on", table_name="idempotency_key", schema=schema
    )
    op.drop_constraint("pk_idempotency_key", "idempotency_key", schema=schema, type_="primary")
    op.add_column(
        "idempotency_key",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        schema=schema,
    )
    for name, length in (("key", 200), ("method", 10), ("path", 500)):
        op.add_column(
            "idempotency_key",
            sa.Column(name, sa.String(length), nullable=False),
            schema=schema,
        )
    op.add_column(
        "idempotency_key",
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        schema=schema,
    )
    op.drop_column("idempotency_key", "key_hash", schema=schema)
    op.drop_column("idempotency_key", "created_on", schema=schema)
    op.create_primary_key("pk_idempotency_key", "idempotency_key", ["id"], schema=schema)
    op.create_unique_constraint(
        "uq_idempotency_key_principal_key", "idempotency_key", ["principal", "key"], schema=schema
    )


# The rows of `multiple` answers (options in `option`, one row each) folded into one row each.
FOLD_MULTIPLE = """
WITH chosen AS (
    SELECT a.id
    FROM surveys.answer a
    JOIN surveys.response r ON r.id = a.response_id
    JOIN surveys.instrument_version v ON v.id = r.instrument_version_id
    WHERE a.option IS NOT NULL
      AND jsonb_path_exists(
          v.definition,
          '$.sections[*].questions[*] ? (@.code == $q && @.type == "multiple")',
          jsonb_build_object('q', a.question))
), removed AS (
    DELETE FROM surveys.answer a USING chosen c WHERE a.id = c.id RETURNING a.*
)
INSERT INTO surveys.answer (response_id, campaign_id, organization_id, question, options,
                            positive)
SELECT response_id, campaign_id, organization_id, question, array_agg(option ORDER BY id),
       bool_or(positive)
FROM removed
GROUP BY response_id, campaign_id, organization_id, question
"""


def upgrade() -> None:
    op.execute(FOLD_MULTIPLE)
    op.drop_constraint("pk_answer", "answer", schema="surveys", type_="primary")
    op.drop_index("ix_surveys_answer_response_id", table_name="answer", schema="surveys")
    op.drop_column("answer", "id", schema="surveys")
    op.create_primary_key("pk_answer", "answer", ["response_id", "question"], schema="surveys")
    for schema in SCHEMAS:
        _idempotency_upgrade(schema)
    op.add_column(
        "response",
        sa.Column(
            "channel",
            sqlmodel.sql.sqltypes.AutoString(length=5),
            server_default="web",
            nullable=False,
        ),
        schema="surveys",
    )
    op.create_check_constraint(
        "ck_response_channel", "response", "channel IN ('web', 'paper')", schema="surveys"
    )
    op.create_table(
        "rate_limit",
        sa.Column("bucket", sa.LargeBinary(length=32), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "slot", name="pk_rate_limit"),
        schema="surveys",
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    # Answers stay folded (one row per question, as the models before this one described them).
    op.drop_table("rate_limit", schema="surveys")
    op.drop_constraint("ck_response_channel", "response", schema="surveys", type_="check")
    op.drop_column("response", "channel", schema="surveys")
    for schema in SCHEMAS:
        _idempotency_downgrade(schema)
    op.drop_constraint("pk_answer", "answer", schema="surveys", type_="primary")
    op.add_column(
        "answer",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        schema="surveys",
    )
    op.create_primary_key("pk_answer", "answer", ["id"], schema="surveys")
    op.create_index("ix_surveys_answer_response_id", "answer", ["response_id"], schema="surveys")
