"""How many of a campaign's audience are expected to answer in one organization (the
denominator of a response rate), and how such numbers add up over a group of organizations.

One home for every reader: the surveys service stores the number per organization when a
campaign is launched (`campaign_organization.expected`), and its rates, its aggregates and the
reports' survey coverage (`coverage.expected`) all read that stored number and pool it with
`pooled` here, so that the three never disagree.

By audience:
- `parents`: one per pupil (the organization's context `students`: a family answers once per
  child, as the NOK asks);
- `students`: the pupils (context `students`);
- `teachers`: the active staff members whose position is teacher, methodologist or
  psychologist (the people an identified diagnostic invites);
- `leaders`: the active staff members whose position is leader or deputy.
A number that is missing, or 0 (a school has pupils, and someone leads it), is unknown: None,
and `unknown_reason` says in Russian what to record for it to be known.
"""

from collections.abc import Iterable, Mapping
from typing import Any

# The staff positions (DOMAIN.md: teacher, leader, deputy, methodologist, psychologist) that
# make up a staff audience: counted for its expected number, invited to an identified campaign.
POSITIONS: dict[str, frozenset[str]] = {
    "teachers": frozenset({"teacher", "methodologist", "psychologist"}),
    "leaders": frozenset({"leader", "deputy"}),
}
# The audiences counted from the organization's context (its number of pupils).
PUPIL_AUDIENCES = frozenset({"parents", "students"})

_UNKNOWN = {
    "parents": "в контекстных данных организации не указано число обучающихся",
    "students": "в контекстных данных организации не указано число обучающихся",
    "teachers": "в организации не внесены педагогические работники (учитель, методист, психолог)",
    "leaders": "в организации не внесены руководящие работники (руководитель, заместитель)",
}


def needs_staff(audience: str) -> bool:
    """True when the audience's expected number is counted from the staff list."""
    return audience in POSITIONS


def of_audience(audience: str, staff: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The staff members (dicts with `position`) who belong to a staff audience; [] for others."""
    wanted = POSITIONS.get(audience, frozenset())
    return [s for s in staff if s["position"] in wanted]


def expected_of(audience: str, facts: Mapping[str, Any]) -> int | None:
    """The number expected to answer in one organization, from its facts as the api's
    `/v1/organizations/lookup` gives them (`context`, and `staff` for a staff audience);
    None when unknown (nothing recorded, or 0)."""
    if audience in PUPIL_AUDIENCES:
        count = (facts.get("context") or {}).get("students")
    elif facts.get("staff") is None:
        count = None  # the staff list was not given: unknown, never 0
    else:
        count = len(of_audience(audience, facts["staff"]))
    return count if isinstance(count, int) and count > 0 else None


def unknown_reason(audience: str, expected: int | None) -> str | None:
    """Why the expected number is null, in Russian (None when it is known)."""
    if expected is not None:
        return None
    return _UNKNOWN.get(audience, "число ожидаемых респондентов неизвестно")


def pooled(numbers: Iterable[int | None]) -> int | None:
    """The expected number of a group of organizations: their sum, None when one of them is
    unknown (a partial sum would overstate the response rate), None for no organization."""
    total: int | None = None
    for number in numbers:
        if number is None:
            return None
        total = (total or 0) + number
    return total
