"""What every recommendation condition builds on: the facts the rules look at, a candidate
recommendation with its stable id, and the Russian spelling of numbers and programme lists.

Split from engine.py so that the condition modules (engine.py, analysis_conditions.py) share it.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.reports.analysis.thresholds import Thresholds
from shared.templating import ru_quotes
from shared.value_labels import MINUS, NBSP, grouped

NAMESPACE = uuid.UUID("6f0b3d4e-8a53-4f4a-9d0c-0a5c1e2b7d11")
TERRITORY_ADDRESSEES = {"authority", "pd_centre"}
UNITS = {"percent": f"{NBSP}%", "count": "", "score": "", "boolean": "", "number": ""}


def stable_id(rule_code: str, addressee_id: uuid.UUID, subject: str, period: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{rule_code}|{addressee_id}|{subject}|{period}")


def number(value: float | None, unit: str = "number") -> str:
    """A number as Russian readers write it: 62,5 % (a no-break space before the sign), 12,
    −1,4 (a minus sign, not a hyphen); нет данных."""
    if value is None:
        return "нет данных"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    text = grouped(text.replace(".", ",")).replace("-", MINUS)
    return ("0" if text == f"{MINUS}0" else text) + UNITS.get(unit, "")


@dataclass
class Facts:
    """Everything the rules look at, for one territory and period."""

    period: str
    previous: str
    earliest: str  # the period before the previous one
    territory_id: uuid.UUID
    definitions: dict[str, dict[str, Any]]
    # (indicator_code, scope_type, scope_id) -> indicator value item, this and the previous period
    values: dict[tuple[str, str, uuid.UUID], dict[str, Any]]
    earlier: dict[tuple[str, str, uuid.UUID], dict[str, Any]]
    names: dict[uuid.UUID, str]  # organizations and territories
    org_territory: dict[uuid.UUID, uuid.UUID]
    # a territory -> it and every territory above it
    chains: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    # survey campaigns: {id, title, state ("upcoming", "early", "open" or "ended" as of
    # issuing: facts.campaign_window), closes (ДД.ММ.ГГГГ, local), organizations:
    # {org: (n, expected)}, territories: {...}}
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    # (organization, competence) -> (teachers diagnosed, with a deficit)
    deficits: dict[tuple[uuid.UUID, str], tuple[int, int]] = field(default_factory=dict)
    competence_titles: dict[str, str] = field(default_factory=dict)
    routes: list[dict[str, Any]] = field(default_factory=list)
    programmes: list[dict[str, Any]] = field(default_factory=list)  # active, by priority
    # The complex analysis of the period's assessment year (services/reports/analysis), over
    # the territory's organizations, with the thresholds it used: objectivity items
    # (organization × paper with signs and risk), the ШНОР schools, every school's result and
    # context index with its `resilient` flag, the task profiles (organization × paper).
    thresholds: Thresholds = field(default_factory=Thresholds)
    objectivity: list[dict[str, Any]] = field(default_factory=list)
    low_results: list[dict[str, Any]] = field(default_factory=list)
    resilient: list[dict[str, Any]] = field(default_factory=list)
    task_profiles: list[dict[str, Any]] = field(default_factory=list)
    # The day the recommendations are issued, and the organizations late for a data
    # collection's window of the period (services/reports/data_quality/status.py Standing).
    today: date | None = None
    late: list[Any] = field(default_factory=list)
    # The current validation violations and outlier flags of the territory's organizations
    # for the period (services/reports/data_quality/checks.py Violation, Flag).
    violations: list[Any] = field(default_factory=list)
    flags: list[Any] = field(default_factory=list)
    # The territory's organizations not open in the period (closed before it began, opened
    # after it ended: indicator_values/units.absent_organizations): no recommendation is about
    # them (engine.evaluate), and an open one about them is resolved (resolution.judged).
    absent: frozenset[uuid.UUID] = frozenset()
    # The values of the period before the previous one, as `values` (what comparability.comparable
    # reads of them: their coverage).
    earliest_values: dict[tuple[str, str, uuid.UUID], dict[str, Any]] = field(default_factory=dict)
    # code -> territory -> its organizations' (and those below) value items: built once per code
    # on first use (`organization_values`).
    _by_territory: dict[str, dict[uuid.UUID, list[tuple[uuid.UUID, dict[str, Any]]]]] = field(
        default_factory=dict, repr=False
    )

    def organization_values(
        self, code: str, territory: uuid.UUID
    ) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        """(organization, its value item) of `code` for every organization of `territory` and
        the territories under it: one pass over the values per code, whatever the number of
        territories asked about (a region's generation asks for each of its municipalities)."""
        if code not in self._by_territory:
            index: dict[uuid.UUID, list[tuple[uuid.UUID, dict[str, Any]]]] = {}
            for (their_code, scope_type, org), item in self.values.items():
                if their_code != code or scope_type != "organization":
                    continue
                own = self.org_territory.get(org)
                for above in self.chains.get(own, [own]) if own is not None else []:
                    index.setdefault(above, []).append((org, item))
            self._by_territory[code] = index
        return self._by_territory[code].get(territory, [])


@dataclass
class Candidate:
    id: uuid.UUID
    rule_id: uuid.UUID
    rule_code: str
    period: str
    addressee_type: str
    addressee_id: uuid.UUID
    organization_id: uuid.UUID | None
    territory_id: uuid.UUID
    territory_ids: list[uuid.UUID]
    subject: str
    indicator_code: str | None
    text: str
    actions: list[dict[str, Any]]
    evidence: dict[str, Any]


# Runs of ordinary white space (a template's line breaks, doubled spaces) become one space; a
# no-break space (`number`'s «65 %», «12 ч») is kept: str.split() would take it for a space.
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _Fill(dict):
    """Template values; a placeholder with no value reads as a dash rather than failing."""

    def __missing__(self, key: str) -> str:
        return "—"


# A bare `{name}` of a template: what a stored template that `str.format` cannot take is filled
# by (`_filled`).
_NAME = re.compile(r"\{(\w+)\}")


def _filled(template: str, fill: "_Fill") -> str:
    """`template` with its `{name}`s filled. A template stored before templates were checked
    (rules.placeholders: bare names only) may hold what `str.format` refuses («{where!x}», a
    lone brace): then its bare names are filled and the rest kept as written, so that one such
    rule never fails the generation of a whole territory."""
    try:
        return template.format_map(fill)
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        return _NAME.sub(lambda m: str(fill[m.group(1)]), template)


def _said_by(action: dict[str, Any], extra: list[dict[str, Any]]) -> bool:
    """True for a rule's course action («Пройти обучение: «A» (36 ч); «B» (24 ч)») whose
    every course the condition's own per-course actions (`extra_actions`, with their
    `programme_code`) name: the list would show each course twice."""
    courses = [e["text"] for e in extra if e.get("kind") == "pd_programme" and e.get("text")]
    text = action.get("text", "")
    return (
        action.get("kind") == "pd_programme"
        and "programme_code" not in action
        and bool(courses)
        and all(f"«{course}»" in text for course in courses)
    )


def candidate(rule: Any, facts: Facts, addressee: uuid.UUID, subject: str, **kw: Any) -> Candidate:
    # Counts as Russian readers write them: «60 из 1 111», not «1111» (a no-break space).
    fill = _Fill({k: grouped(str(v)) if type(v) is int else v for k, v in kw.pop("fill").items()})
    actions = [
        {**action, "text": ru_quotes(_filled(str(action.get("text", "")), fill).strip())}
        for action in rule.actions
    ]
    extra = kw.pop("extra_actions", [])
    actions = [a for a in actions if not _said_by(a, extra)] + extra
    territory = kw["territory_id"]
    return Candidate(
        territory_ids=facts.chains.get(territory, [territory]),
        id=stable_id(rule.code, addressee, subject, facts.period),
        rule_id=rule.id,
        rule_code=rule.code,
        period=facts.period,
        addressee_type=rule.addressee_type,
        addressee_id=addressee,
        subject=subject,
        text=ru_quotes(_one_line(_filled(rule.template, fill))),
        actions=[a for a in actions if a["text"]],
        **kw,
    )


def programmes_for(competences: set[str], facts: Facts) -> list[dict[str, Any]]:
    return [p for p in facts.programmes if competences & set(p["competences"])]


def programme_titles(programmes: list[dict[str, Any]]) -> str:
    if not programmes:
        return "программ в каталоге нет — нужен методический семинар"
    return "; ".join(f"«{p['title']}» ({p['hours']} ч)" for p in programmes)


def percent_of(part: int, whole: int) -> str:
    return number(round(100 * part / whole, 1), "percent") if whole else "—"
