"""Individual development routes (ИОМ) from teachers' diagnostic profiles. No I/O.

A teacher's deficits are ordered by priority: the lowest share of the maximum score first.
Programmes are chosen greedily: again and again the active programme that covers most of the
teacher's remaining deficits (ties: the one covering the highest-priority remaining deficit,
then fewer hours, then its code). A deficit no programme covers gets a step without a
programme and a note. Each competence of a step names a mentor when the same school has
another teacher strong in it (share at least `mentor_min_share` of the catalogue data).
"""

import json
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from services.reports.clients.models import DeficitResult
from shared.comparison import COMPARE

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> dict[str, Any]:
    """The default catalogue, the mentor threshold and the notes' texts."""
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Programme:
    id: uuid.UUID
    code: str
    title: str
    provider: str
    hours: int
    competences: tuple[str, ...]
    format: str | None = None

    def brief(self) -> dict[str, Any]:
        """What a route step keeps of the programme (a snapshot: the catalogue may change)."""
        return {
            "id": str(self.id),
            "code": self.code,
            "title": self.title,
            "provider": self.provider,
            "hours": self.hours,
            "format": self.format,
        }


@dataclass(frozen=True)
class Result:
    """One competence of one teacher."""

    code: str
    title: str
    score: float
    max_score: float
    deficit: bool

    @property
    def ratio(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def share(self) -> float:
        return round(100 * self.ratio, 1)


@dataclass
class Profile:
    """A teacher's results over every diagnostic campaign of the period."""

    staff_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID
    results: dict[str, Result] = field(default_factory=dict)

    def deficits(self) -> list[Result]:
        """Deficits by priority: the lowest share of the maximum first, then by code."""
        found = [r for r in self.results.values() if r.deficit]
        return sorted(found, key=lambda r: (r.ratio, r.code))


def _weaker(a: Result, b: Result) -> bool:
    """Lower share; at the same share a deficit counts as weaker."""
    return (a.ratio, not a.deficit) < (b.ratio, not b.deficit)


def merge_profiles(items: list[DeficitResult]) -> dict[uuid.UUID, Profile]:
    """One profile per teacher from the surveys service's per-campaign results.

    A competence measured twice in the period keeps the weaker result: a deficit shown by one
    diagnostic is not hidden by a better score in another."""
    profiles: dict[uuid.UUID, Profile] = {}
    for item in items:
        profile = profiles.setdefault(
            item.staff_id, Profile(item.staff_id, item.full_name, item.organization_id)
        )
        for c in item.competences:
            if not c.max_score:
                continue
            result = Result(c.code, c.title or c.code, c.score, c.max_score, c.deficit)
            known = profile.results.get(result.code)
            if known is None or _weaker(result, known):
                profile.results[result.code] = result
    return profiles


def choose_programmes(
    deficits: list[str], programmes: list[Programme]
) -> list[tuple[Programme | None, list[str]]]:
    """Programmes for the deficits (given by priority), greedily; then what none covers."""
    rank = {code: i for i, code in enumerate(deficits)}
    remaining = set(deficits)
    chosen: list[tuple[Programme | None, list[str]]] = []
    while remaining:
        best, best_key, best_covered = None, None, []
        for programme in programmes:
            covered = sorted(remaining.intersection(programme.competences), key=rank.__getitem__)
            if not covered:
                continue
            key = (-len(covered), rank[covered[0]], programme.hours, programme.code)
            if best_key is None or key < best_key:
                best, best_key, best_covered = programme, key, covered
        if best is None:
            break
        chosen.append((best, best_covered))
        remaining -= set(best_covered)
    chosen += [(None, [code]) for code in sorted(remaining, key=rank.__getitem__)]
    # The route lists steps by the priority of the first deficit each addresses.
    chosen.sort(key=lambda step: rank[step[1][0]])
    return chosen


def mentor_of(
    colleagues: list[Profile], teacher: Profile, competence: str, min_share: float
) -> dict[str, str] | None:
    """The school's strongest other teacher in the competence (ties by name), if strong enough.
    Only who they are: their scores are their own personal data."""
    strong = [
        p
        for p in colleagues
        if p.staff_id != teacher.staff_id
        and competence in p.results
        and COMPARE[">="](100 * p.results[competence].ratio, min_share)
    ]
    if not strong:
        return None
    best = min(strong, key=lambda p: (-p.results[competence].ratio, p.full_name, str(p.staff_id)))
    return {"staff_id": str(best.staff_id), "full_name": best.full_name}


def without_mentors(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A route's steps as its teacher reads them: no mentor named (a copy; `mentor` null, as
    where the school has no strong colleague)."""
    return [
        step
        | {
            "competences": [
                c | {"mentor": None} if isinstance(c, dict) else c
                for c in step.get("competences") or []
            ]
        }
        for step in steps
    ]


def build_routes(
    profiles: dict[uuid.UUID, Profile],
    programmes: list[Programme],
    *,
    min_share: float,
    uncovered_note: str,
) -> list[dict[str, Any]]:
    """A route for every teacher with at least one deficit (teachers without get none)."""
    by_school: dict[uuid.UUID, list[Profile]] = {}
    for profile in profiles.values():
        by_school.setdefault(profile.organization_id, []).append(profile)
    routes = []
    for profile in sorted(profiles.values(), key=lambda p: (p.full_name, str(p.staff_id))):
        deficits = profile.deficits()
        if not deficits:
            continue
        colleagues = by_school[profile.organization_id]
        steps = []
        for position, (programme, codes) in enumerate(
            choose_programmes([d.code for d in deficits], programmes), start=1
        ):
            competences = [
                {
                    "code": code,
                    "title": profile.results[code].title,
                    "share": profile.results[code].share,
                    "mentor": mentor_of(colleagues, profile, code, min_share),
                }
                for code in codes
            ]
            steps.append(
                {
                    "position": position,
                    "programme": programme.brief() if programme else None,
                    "competences": competences,
                    "note": None if programme else uncovered_note,
                }
            )
        routes.append(
            {
                "staff_id": profile.staff_id,
                "full_name": profile.full_name,
                "organization_id": profile.organization_id,
                "deficits": [
                    {
                        "code": d.code,
                        "title": d.title,
                        "score": d.score,
                        "max_score": d.max_score,
                        "share": d.share,
                    }
                    for d in deficits
                ],
                "steps": steps,
            }
        )
    return routes
