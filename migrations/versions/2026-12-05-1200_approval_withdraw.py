"""A school's leader may withdraw a submission not yet approved

`api.collection_approval.status` takes `not_submitted` (a withdrawn submission: the row and
its audit trail stay), `last_action` and `api.collection_approval_step.action` take `withdraw`.

Revision ID: 0029_approval_withdraw
Revises: 0028_audit_indexes
Create Date: 2026-12-05 12:00:00
"""

from alembic import op

revision: str = "0029_approval_withdraw"
down_revision: str | None = "0028_audit_indexes"

ACTIONS = "'submit', 'approve', 'return', 'unapprove'"
STATUSES = "'submitted', 'returned', 'approved'"


def _checks(actions: str, statuses: str) -> None:
    """The approval tables' checks of actions and statuses, replaced by these lists."""
    for table, name, check in (
        ("collection_approval", "status", f"status IN ({statuses})"),
        ("collection_approval", "last_action", f"last_action IN ({actions})"),
        ("collection_approval_step", "action", f"action IN ({actions})"),
    ):
        constraint = op.f(f"ck_{table}_{name}")
        op.drop_constraint(constraint, table, schema="api", type_="check")
        op.create_check_constraint(constraint, table, check, schema="api")


def upgrade() -> None:
    _checks(f"{ACTIONS}, 'withdraw'", f"'not_submitted', {STATUSES}")


def downgrade() -> None:
    # A withdrawn submission goes back to what it was withdrawn from, as before: no row.
    op.execute("DELETE FROM api.collection_approval WHERE status = 'not_submitted'")
    op.execute("DELETE FROM api.collection_approval_step WHERE action = 'withdraw'")
    _checks(ACTIONS, STATUSES)
