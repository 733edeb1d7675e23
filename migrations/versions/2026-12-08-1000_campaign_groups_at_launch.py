"""A campaign organization's groups as drawn at the launch

`surveys.campaign_organization.territory_ids` (the organization's territory, then every one
above it, up to the root) and `cluster_ids`, as they were when the campaign was launched, and
the same two columns in `reports.fact_campaign_organization` (the surveys feed carries them).
A campaign's figures are withheld as over these groups, whatever territories and clusters are
drawn later (shared/disclosure.py, `as_launched`): a cluster of a withheld school and a shown
one drawn after the close gave the withheld school by subtraction.

Campaigns launched before this revision get their organizations' groups as they are now (the
groups of their launch are not recorded anywhere): from now on nothing drawn changes them.

Revision ID: 0036_campaign_groups_at_launch
Revises: 0035_reports_idempotency
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0036_campaign_groups_at_launch"
down_revision: str | None = "0035_reports_idempotency"

_EMPTY = sa.text("'{}'::uuid[]")

# Each organization's territory chain (its own first) and clusters, from the api's tables.
_BACKFILL_SURVEYS = """
WITH RECURSIVE chain(organization_id, territory_id, depth) AS (
    SELECT o.id, o.territory_id, 0 FROM api.organization o
    WHERE o.id IN (SELECT organization_id FROM surveys.campaign_organization)
    UNION ALL
    SELECT c.organization_id, t.parent_id, c.depth + 1
    FROM chain c JOIN api.territory t ON t.id = c.territory_id
    WHERE t.parent_id IS NOT NULL AND c.depth < 64
),
chains AS (
    SELECT organization_id, array_agg(territory_id ORDER BY depth) AS territory_ids
    FROM chain GROUP BY organization_id
),
clusters AS (
    SELECT organization_id, array_agg(cluster_id ORDER BY cluster_id) AS cluster_ids
    FROM api.cluster_member GROUP BY organization_id
)
UPDATE surveys.campaign_organization co
SET territory_ids = COALESCE(ch.territory_ids, '{}'::uuid[]),
    cluster_ids = COALESCE(cl.cluster_ids, '{}'::uuid[])
FROM chains ch LEFT JOIN clusters cl USING (organization_id)
WHERE co.organization_id = ch.organization_id
"""

_BACKFILL_REPORTS = """
UPDATE reports.fact_campaign_organization f
SET territory_ids = co.territory_ids, cluster_ids = co.cluster_ids
FROM surveys.campaign_organization co
WHERE co.campaign_id = f.campaign_id AND co.organization_id = f.organization_id
"""


def upgrade() -> None:
    for name in ("territory_ids", "cluster_ids"):
        op.add_column(
            "campaign_organization",
            sa.Column(name, sa.ARRAY(sa.Uuid()), server_default=_EMPTY, nullable=False),
            schema="surveys",
        )
        op.add_column(
            "fact_campaign_organization",
            sa.Column(name, sa.ARRAY(sa.Uuid()), nullable=True),
            schema="reports",
        )
    op.execute(_BACKFILL_SURVEYS)
    op.execute(_BACKFILL_REPORTS)


def downgrade() -> None:
    for name in ("cluster_ids", "territory_ids"):
        op.drop_column("fact_campaign_organization", name, schema="reports")
        op.drop_column("campaign_organization", name, schema="surveys")
