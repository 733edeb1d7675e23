"""Recommendations that carry teachers' personal results: who reads them, and the audit log's
record of each read (README "Personal data")."""

from collections.abc import Iterable

from sqlalchemy import ColumnElement

from services.reports.clients.api import ApiClient
from services.reports.recommendations.models import Recommendation
from shared.identity import Principal, Role


def from_diagnostics() -> ColumnElement[bool]:
    """The recommendations told from teachers' diagnostic results of a group (a school's, a
    territory's: «у 7 из 7 педагогов»), as a SQL condition: their evidence counts the teachers
    with a deficit (`with_deficit`). When all or none of a small group have it, the count is
    each one's result, so they are for the readers of personal results only."""
    return Recommendation.evidence.has_key("with_deficit")


async def audit_personal_reads(
    api: ApiClient, principal: Principal, recommendations: Iterable[Recommendation]
) -> None:
    """Record in the audit log, once for the request, a read of teachers' personal
    recommendations (`teacher_own_deficits`: a teacher's name, deficits and scores) by anyone
    but the teacher: `read_personal`, `recommendation`, whose (`staff_ids`), of which schools
    (`organization_ids`) and which recommendations (`recommendation_ids`). Nothing when none
    of them is a teacher's or the teacher reads their own."""
    personal = [
        r
        for r in recommendations
        if r.addressee_type == "teacher"
        and not (principal.role == Role.teacher and principal.staff_id == r.addressee_id)
    ]
    if not personal:
        return
    await api.audit(
        "read_personal",
        "recommendation",
        str(personal[0].id) if len(personal) == 1 else None,
        {
            "staff_ids": sorted({str(r.addressee_id) for r in personal}),
            "organization_ids": sorted({str(r.organization_id) for r in personal}),
            "recommendation_ids": sorted(str(r.id) for r in personal),
        },
    )
