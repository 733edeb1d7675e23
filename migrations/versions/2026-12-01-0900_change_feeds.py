"""Change feeds of the api and surveys services; competence tallies

Every table a feed carries gets a position per row (`change_xid`: the writing transaction,
`change_seq`: from the schema's `change_seq` sequence), indexed, written by triggers in the
writing transaction whoever writes (ORM, bulk SQL, COPY, later migrations):

- BEFORE INSERT, and BEFORE UPDATE of a row that really changes: stamp the position;
- AFTER UPDATE of a row whose key changed: a tombstone for the old key;
- AFTER DELETE (per statement, from its transition table): a tombstone per deleted key;
- AFTER INSERT/UPDATE/DELETE (per statement): NOTIFY the feed's channel (sent at commit);
- AFTER TRUNCATE: the horizon moves past every position, so every reader resyncs.

Rows that exist already get transaction id 0 (before every change) and a number each.

`surveys.competence_tally` keeps per campaign, organization and competence the counts of a
diagnostic's results (respondents, with a deficit, sums of scores and of maximum scores), by
triggers on `competence_score` in the statement that stores them; it is filled here from the
scores stored so far.

The table lists below are this migration's own copy: services/*/changes/entities.py may grow,
a later migration then adds its tables the same way (tests/test_change_feeds.py checks that
every entity's table has its triggers).

Revision ID: 0013_change_feeds
Revises: 0012_shared_caches
Create Date: 2026-12-01 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.columns import foreign_key

revision: str = "0013_change_feeds"
down_revision: str | None = "0012_shared_caches"

# schema -> entity -> (table, key columns)
FEEDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "api": {
        "territory": ("territory", ("id",)),
        "organization": ("organization", ("id",)),
        "cluster": ("cluster", ("id",)),
        "cluster_member": ("cluster_member", ("cluster_id", "organization_id")),
        "indicator": ("indicator", ("id",)),
        "indicator_target": ("indicator_target", ("id",)),
        "indicator_roadmap": ("indicator_roadmap", ("indicator_id", "roadmap_id")),
        "data_value": ("data_value", ("indicator_id", "organization_id", "period")),
        "assessment_procedure": ("assessment_procedure", ("id",)),
        "assessment_subject": ("assessment_subject", ("id",)),
        "assessment_result": ("assessment_result", ("id",)),
        "roadmap": ("roadmap", ("id",)),
        "roadmap_section": ("roadmap_section", ("id",)),
        "activity": ("activity", ("id",)),
        "activity_status_change": ("activity_status_change", ("id",)),
    },
    "surveys": {
        "instrument": ("instrument", ("id",)),
        "instrument_version": ("instrument_version", ("id",)),
        "campaign": ("campaign", ("id",)),
        "campaign_organization": ("campaign_organization", ("campaign_id", "organization_id")),
        "answer_tally": ("answer_tally", ("campaign_id", "organization_id", "question", "value")),
        "competence_tally": (
            "competence_tally",
            ("campaign_id", "organization_id", "competence"),
        ),
    },
}
NEW_TABLES = {("surveys", "competence_tally")}

FUNCTIONS = """
-- statement
CREATE FUNCTION {s}.changes_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    NEW.change_seq := nextval('{s}.change_seq');
    RETURN NEW;
END
$$;

-- statement
-- TG_ARGV: the entity, then its key columns. One tombstone per key; a key deleted again
-- moves its tombstone to the new position.
CREATE FUNCTION {s}.changes_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_sql text;
BEGIN
    SELECT string_agg(format('%L, o.%I', k, k), ', ') INTO key_sql FROM unnest(TG_ARGV[1:]) k;
    EXECUTE format(
        'INSERT INTO {s}.change_tombstone AS t (entity, key, change_xid, change_seq) '
        'SELECT %L, jsonb_build_object(%s), pg_current_xact_id()::text::bigint, '
        '       nextval(''{s}.change_seq'') FROM old_rows o '
        'ON CONFLICT (entity, key) DO UPDATE SET change_xid = EXCLUDED.change_xid, '
        '    change_seq = EXCLUDED.change_seq, deleted_at = now()',
        TG_ARGV[0], key_sql);
    RETURN NULL;
END
$$;

-- statement
CREATE FUNCTION {s}.changes_key_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {s}.change_tombstone AS t (entity, key, change_xid, change_seq)
    SELECT TG_ARGV[0], jsonb_object_agg(k, to_jsonb(OLD) -> k),
           pg_current_xact_id()::text::bigint, nextval('{s}.change_seq')
    FROM unnest(TG_ARGV[1:]) k
    ON CONFLICT (entity, key) DO UPDATE SET change_xid = EXCLUDED.change_xid,
        change_seq = EXCLUDED.change_seq, deleted_at = now();
    RETURN NULL;
END
$$;

-- statement
CREATE FUNCTION {s}.changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('soko_changes_{s}', '');
    RETURN NULL;
END
$$;

-- statement
-- Rows gone without a tombstone: every cursor so far is below the horizon now (410).
CREATE FUNCTION {s}.changes_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {s}.change_horizon AS h (id, change_xid, change_seq, moved_at)
    VALUES (1, pg_current_xact_id()::text::bigint, nextval('{s}.change_seq'), now())
    ON CONFLICT (id) DO UPDATE SET change_xid = EXCLUDED.change_xid,
        change_seq = EXCLUDED.change_seq, moved_at = now();
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
-- statement
CREATE TRIGGER changes_stamp_insert BEFORE INSERT ON {t}
    FOR EACH ROW EXECUTE FUNCTION {s}.changes_stamp();
-- statement
CREATE TRIGGER changes_stamp_update BEFORE UPDATE ON {t}
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {s}.changes_stamp();
-- statement
CREATE TRIGGER changes_key_moved AFTER UPDATE ON {t}
    FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new}))
    EXECUTE FUNCTION {s}.changes_key_moved({args});
-- statement
CREATE TRIGGER changes_deleted AFTER DELETE ON {t}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_deleted({args});
-- statement
CREATE TRIGGER changes_notify AFTER INSERT OR UPDATE OR DELETE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_notify();
-- statement
CREATE TRIGGER changes_truncated AFTER TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.changes_truncated();
"""

# Sums of one statement's competence scores per campaign, organization and competence.
_SUMS = """
SELECT campaign_id, organization_id, competence, count(*) AS n,
       count(*) FILTER (WHERE deficit) AS deficits, sum(score) AS score,
       sum(max_score) AS max_score
FROM {rows} GROUP BY campaign_id, organization_id, competence
"""
# The tallies' triggers on competence_score: (name, event, transition table, function). An
# update is its old rows taken away and its new rows added (two triggers, one order: by name).
_TALLY_TRIGGERS = "".join(
    f"""-- statement
CREATE TRIGGER competence_tally_{name} AFTER {event} ON surveys.competence_score
    REFERENCING {rows.upper()} TABLE AS {rows}_rows
    FOR EACH STATEMENT EXECUTE FUNCTION surveys.competence_tally_{function}();
"""
    for name, event, rows, function in (
        ("insert", "INSERT", "new", "add"),
        ("delete", "DELETE", "old", "subtract"),
        ("update_1", "UPDATE", "old", "subtract"),
        ("update_2", "UPDATE", "new", "add"),
    )
)
COMPETENCE_TALLY = f"""
-- statement
CREATE FUNCTION surveys.competence_tally_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Sorted, so that concurrent submissions lock the tally rows in one order.
    INSERT INTO surveys.competence_tally AS t (campaign_id, organization_id, competence,
        respondents, with_deficit, score_sum, max_score_sum)
    SELECT campaign_id, organization_id, competence, n, deficits, score, max_score
    FROM ({_SUMS.format(rows="new_rows")}) s
    ORDER BY campaign_id, organization_id, competence
    ON CONFLICT (campaign_id, organization_id, competence) DO UPDATE
        SET respondents = t.respondents + EXCLUDED.respondents,
            with_deficit = t.with_deficit + EXCLUDED.with_deficit,
            score_sum = t.score_sum + EXCLUDED.score_sum,
            max_score_sum = t.max_score_sum + EXCLUDED.max_score_sum;
    RETURN NULL;
END
$$;

-- statement
CREATE FUNCTION surveys.competence_tally_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE surveys.competence_tally t
    SET respondents = t.respondents - s.n, with_deficit = t.with_deficit - s.deficits,
        score_sum = t.score_sum - s.score, max_score_sum = t.max_score_sum - s.max_score
    FROM ({_SUMS.format(rows="old_rows")}) s
    WHERE t.campaign_id = s.campaign_id AND t.organization_id = s.organization_id
      AND t.competence = s.competence;
    DELETE FROM surveys.competence_tally t
    WHERE t.respondents <= 0
      AND (t.campaign_id, t.organization_id, t.competence) IN
          (SELECT campaign_id, organization_id, competence FROM old_rows);
    RETURN NULL;
END
$$;

{_TALLY_TRIGGERS}
-- statement
INSERT INTO surveys.competence_tally (campaign_id, organization_id, competence, respondents,
    with_deficit, score_sum, max_score_sum)
SELECT campaign_id, organization_id, competence, n, deficits, score, max_score
FROM ({_SUMS.format(rows="surveys.competence_score")}) s;
"""  # noqa: S608 - this module's own table names


def _execute(script: str) -> None:
    """Each statement of a script (separated by `-- statement` lines) on its own: the driver
    prepares statements, which take one command each."""
    for statement in script.split("-- statement\n"):
        if statement.strip():
            op.execute(statement)


def _position_columns() -> list[sa.Column]:
    return [
        sa.Column("change_xid", sa.BigInteger(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
    ]


def _feed_tables(schema: str) -> None:
    op.execute(f"CREATE SEQUENCE {schema}.change_seq CACHE 64")
    op.create_table(
        "change_tombstone",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("key", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        *_position_columns(),
        sa.Column(
            "deleted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("entity", "key", name=op.f("pk_change_tombstone")),
        schema=schema,
    )
    op.create_index(
        "ix_change_tombstone_change",
        "change_tombstone",
        ["change_xid", "change_seq"],
        schema=schema,
    )
    op.create_table(
        "change_horizon",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        *_position_columns(),
        sa.Column(
            "moved_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_change_horizon_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_horizon")),
        schema=schema,
    )


def _competence_tally_table() -> None:
    op.create_table(
        "competence_tally",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("competence", sa.String(length=40), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("with_deficit", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("max_score_sum", sa.Float(), nullable=False),
        *_position_columns(),
        foreign_key("competence_tally", "campaign_id", "surveys.campaign", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", "competence", name=op.f("pk_competence_tally")
        ),
        schema="surveys",
    )


def _track(schema: str, table: str, entity: str, key: tuple[str, ...]) -> None:
    qualified = f"{schema}.{table}"
    if (schema, table) not in NEW_TABLES:
        # Existing rows: transaction 0 (before every change), a number each from the sequence
        # (a volatile default is evaluated per row); later rows get theirs from the triggers.
        op.execute(
            f"ALTER TABLE {qualified} ADD COLUMN change_xid bigint NOT NULL DEFAULT 0, "
            f"ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('{schema}.change_seq')"
        )
        op.execute(
            f"ALTER TABLE {qualified} ALTER COLUMN change_xid DROP DEFAULT, "
            "ALTER COLUMN change_seq DROP DEFAULT"
        )
    op.create_index(f"ix_{table}_change", table, ["change_xid", "change_seq"], schema=schema)
    args = ", ".join(f"'{name}'" for name in (entity, *key))
    _execute(
        TRIGGERS.format(
            t=qualified,
            s=schema,
            args=args,
            old=", ".join(f"OLD.{c}" for c in key),
            new=", ".join(f"NEW.{c}" for c in key),
        )
    )


def upgrade() -> None:
    for schema in FEEDS:
        _feed_tables(schema)
        _execute(FUNCTIONS.format(s=schema))
        op.execute(
            f"CREATE TRIGGER changes_truncated AFTER TRUNCATE ON {schema}.change_tombstone "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.changes_truncated()"
        )
    _competence_tally_table()
    for schema, entities in FEEDS.items():
        for entity, (table, key) in entities.items():
            _track(schema, table, entity, key)
    _execute(COMPETENCE_TALLY)


def downgrade() -> None:
    op.execute("DROP FUNCTION surveys.competence_tally_add() CASCADE")
    op.execute("DROP FUNCTION surveys.competence_tally_subtract() CASCADE")
    op.drop_table("competence_tally", schema="surveys")
    for schema, entities in FEEDS.items():
        for name in ("stamp", "deleted", "key_moved", "notify", "truncated"):
            op.execute(f"DROP FUNCTION {schema}.changes_{name}() CASCADE")
        for table, _ in entities.values():
            if (schema, table) in NEW_TABLES:
                continue
            op.drop_index(f"ix_{table}_change", table_name=table, schema=schema)
            op.drop_column(table, "change_seq", schema=schema)
            op.drop_column(table, "change_xid", schema=schema)
        op.drop_table("change_horizon", schema=schema)
        op.drop_index("ix_change_tombstone_change", "change_tombstone", schema=schema)
        op.drop_table("change_tombstone", schema=schema)
        op.execute(f"DROP SEQUENCE {schema}.change_seq")
