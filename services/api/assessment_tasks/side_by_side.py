"""The territory's and the region's task completion beside a group's own (issue 15: "with the
territory's and (if posted) the region's values side by side").

Pooled over every school of the territory (or region) that posted its participants, whoever
asks: a territory's completion of a task is an aggregate, not a school's figure. Read from the
schools' summary results (`task_scores`, {task number: Σ scores}, derived from participants), so
a region of 2,000 schools is a few thousand rows, not its participants.
"""

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.assessment_tasks.schemas import CompletionRead, TaskCompletion
from services.api.organizations.models import Cluster, Organization
from services.api.territories.models import Territory

# Σ scores per task and participants, per territory of the school and specification.
_SUMS = text(
    """
    SELECT o.territory_id, r.specification_id, t.key AS number,
           sum(t.value::int) AS score, sum(r.participants) AS participants
    FROM api.assessment_result r
    JOIN api.organization o ON o.id = r.organization_id
    CROSS JOIN LATERAL jsonb_each_text(r.task_scores) t
    WHERE r.procedure_id = :procedure_id AND r.year = :year AND r.subject = :subject
      AND r.grade = :grade AND r.specification_id IS NOT NULL
    GROUP BY o.territory_id, r.specification_id, t.key
    """
)


async def territory_of_groups(
    session: AsyncSession, group_by: str, group_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Each group's territory: an organization's or a cluster's own, a territory itself."""
    if group_by == "territory":
        return {g: g for g in group_ids}
    model = Organization if group_by == "organization" else Cluster
    rows = await session.execute(
        select(model.id, model.territory_id).where(model.id.in_(group_ids))
    )
    return {row.id: row.territory_id for row in rows}


async def _chains(session: AsyncSession) -> tuple[dict[uuid.UUID, list[uuid.UUID]], set]:
    """Every territory with itself and its ancestors, and the ids of the regions."""
    rows = (await session.execute(select(Territory.id, Territory.parent_id, Territory.kind))).all()
    parent = {row.id: row.parent_id for row in rows}
    chains = {}
    for territory in parent:
        chain, current = [], territory
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        chains[territory] = chain
    return chains, {row.id for row in rows if row.kind == "region"}


async def add_side_by_side(
    session: AsyncSession,
    items: dict[tuple[uuid.UUID, uuid.UUID], CompletionRead],
    paper_ids: dict[str, Any],
) -> None:
    """Set on each item of `items` ({(group, specification id): item}) its `territory_id` and
    `region_id` and on each task their completion (%, rounded to 0.1; None where nobody of it
    posted participants under the item's specification version). `paper_ids`: procedure_id,
    year, subject, grade."""
    if not items:
        return
    group_by = next(iter(items.values())).group_by
    groups = {group for group, _ in items}
    territory_of = await territory_of_groups(session, group_by, groups)
    chains, regions = await _chains(session)
    # (territory, specification, number) -> [Σ score, Σ participants], rolled up to ancestors
    pooled: dict[tuple[uuid.UUID, uuid.UUID, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in await session.execute(_SUMS, paper_ids):
        for territory in chains.get(row.territory_id, [row.territory_id]):
            sums = pooled[(territory, row.specification_id, row.number)]
            sums[0] += row.score
            sums[1] += row.participants
    for (group, specification), item in items.items():
        territory = territory_of.get(group)
        chain = chains.get(territory, []) if territory else []
        region = next((t for t in chain if t in regions and t != territory), None)
        item.territory_id, item.region_id = territory, region
        for task in item.tasks:
            task.territory_completion = _completion(pooled, territory, specification, task)
            task.region_completion = _completion(pooled, region, specification, task)


def _completion(pooled, territory, specification, task: TaskCompletion) -> float | None:
    """Pooled completion (%) of `task` over `territory`'s participants under `specification`."""
    sums = pooled.get((territory, specification, task.number)) if territory else None
    if not sums or not sums[1]:
        return None
    return round(100 * sums[0] / (task.max_score * sums[1]), 1)
