"""The conditions over the complex analysis (services/reports/analysis, issue 15): objectivity
risk, low-results schools (ШНОР), resilient schools and the tasks a school fails.

Pure functions over `Facts` (the analysis' items for the territory and the period's assessment
year, gathered in facts.py), like engine.py's. A recommendation about a school is one per school
(its papers listed in the text), to its leader or to the territory's authority; the task deficits
one per school and paper (to the leader, for the subject's teachers).
"""

import uuid
from collections.abc import Iterator
from typing import Any

from pydantic_core import to_jsonable_python

from services.reports.analysis.labels import PROCEDURE_NAMES, RISK_NAMES, SIGN_NAMES
from services.reports.analysis.objectivity import RISK_AT_LEAST
from services.reports.recommendations.candidates import (
    Candidate,
    Facts,
    candidate,
    number,
    programme_titles,
)
from shared.comparison import COMPARE
from shared.templating import quoted

# "учителям математики": the subjects of the procedures in the genitive case.
GENITIVE = {
    "математика": "математики",
    "алгебра": "алгебры",
    "геометрия": "геометрии",
    "русский язык": "русского языка",
    "литература": "литературы",
    "окружающий мир": "окружающего мира",
    "история": "истории",
    "обществознание": "обществознания",
    "география": "географии",
    "биология": "биологии",
    "физика": "физики",
    "химия": "химии",
    "информатика": "информатики",
    "английский язык": "английского языка",
    "немецкий язык": "немецкого языка",
    "французский язык": "французского языка",
    "иностранный язык": "иностранного языка",
}
SUBJECT_COMPETENCE = "subject"  # the catalogue's competence of teaching one's subject


def paper(item: dict[str, Any]) -> str:
    """ "ВПР, Математика, 5 класс" for an analysis item (procedure code, subject, grade)."""
    procedure = PROCEDURE_NAMES.get(item["procedure"], str(item["procedure"]).upper())
    return f"{procedure}, {item['subject']}, {item['grade']} класс"


def teachers_of(subject: str) -> str:
    """ "Учителям математики" (or "Учителям предмета «…»" for a subject not in GENITIVE)."""
    genitive = GENITIVE.get(subject.strip().casefold())
    return f"Учителям {genitive}" if genitive else f"Учителям предмета «{subject}»"


def _name(facts: Facts, org: uuid.UUID) -> str:
    return facts.names.get(org, "—")


def _about_school(rule: Any, facts: Facts, org: uuid.UUID) -> dict[str, Any]:
    """Addressee and scope of a recommendation about one school: its leader, or the authority
    of the territory the recommendations are generated for."""
    if rule.addressee_type == "organization_leader":
        return {
            "addressee": org,
            "organization_id": org,
            "territory_id": facts.org_territory.get(org, facts.territory_id),
        }
    return {
        "addressee": facts.territory_id,
        "organization_id": None,
        "territory_id": facts.territory_id,
    }


def _issue(rule: Any, facts: Facts, org: uuid.UUID, subject: str, **kw: Any) -> Candidate:
    about = _about_school(rule, facts, org)
    return candidate(
        rule,
        facts,
        about.pop("addressee"),
        subject,
        indicator_code=None,
        evidence=to_jsonable_python({"organization_id": org, **kw.pop("evidence")}),
        **about,
        **kw,
    )


def _by_school(items: list[dict[str, Any]], facts: Facts) -> list[tuple[uuid.UUID, list]]:
    grouped: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault(item["organization_id"], []).append(item)
    return sorted(grouped.items(), key=lambda kv: (_name(facts, kv[0]), str(kv[0])))


def _objectivity_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    risks = RISK_AT_LEAST[rule.params.get("risk", "high")]
    flagged = [i for i in facts.objectivity if i["risk"] in risks and i["signs"]]
    for org, items in _by_school(flagged, facts):
        items.sort(key=lambda i: (i["procedure"], i["subject"], i["grade"]))
        codes = {s["code"] for i in items for s in i["signs"]}
        risk = "high" if any(i["risk"] == "high" for i in items) else "low"
        papers = "; ".join(
            f"{paper(i)} — {', '.join(SIGN_NAMES.get(s['code'], s['code']) for s in i['signs'])}"
            for i in items
        )
        yield _issue(
            rule,
            facts,
            org,
            f"objectivity:{org}",
            fill={
                "where": _name(facts, org),
                "period": facts.period,
                "papers": papers,
                "signs": ", ".join(name for code, name in SIGN_NAMES.items() if code in codes),
                "risk": RISK_NAMES[risk],
            },
            evidence={
                "risk": risk,
                "papers": [
                    {k: i[k] for k in ("procedure", "subject", "grade", "year", "risk", "signs")}
                    for i in items
                ],
            },
        )


def _criterion(entry: dict[str, Any]) -> str:
    value, threshold = number(entry["value"], "percent"), number(entry["threshold"], "percent")
    if entry["criterion"] == "mark_2_share":
        return f"доля отметок «2» {value} (порог {threshold})"
    return f"средний процент выполнения {value} — в нижней группе территории (граница {threshold})"


def mentor_school(
    facts: Facts, org: uuid.UUID, excluded: set[uuid.UUID]
) -> tuple[dict[str, Any] | None, str]:
    """The mentor for a low-results school: a resilient school of the territory, else the school
    with the best result (mean completion, analysis/resilient.py), not itself a ШНОР school;
    one of the school's own territory first, then by result and name. (item, Russian text)."""
    home = facts.org_territory.get(org)
    pool = [
        i
        for i in facts.resilient
        if i["organization_id"] not in excluded and i.get("result") is not None
    ]
    if not pool:
        return None, "определите её среди школ территории с устойчиво высокими результатами"
    best = min(
        pool,
        key=lambda i: (
            not i.get("resilient"),
            facts.org_territory.get(i["organization_id"]) != home,
            -i["result"],
            _name(facts, i["organization_id"]),
        ),
    )
    name, result = _name(facts, best["organization_id"]), number(best["result"], "percent")
    if best.get("resilient"):
        return best, f"{quoted(name)} (резильентная школа: {result} в неблагоприятных условиях)"
    return best, f"{quoted(name)} (лучший средний результат на территории: {result})"


def _low_results_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    schools = {i["organization_id"] for i in facts.low_results}
    for org, [item, *_] in _by_school(facts.low_results, facts):
        mentor, mentor_text = mentor_school(facts, org, schools)
        entries = sorted(
            item["procedures"], key=lambda p: (p["year"], p["procedure"], p["subject"], p["grade"])
        )
        yield _issue(
            rule,
            facts,
            org,
            f"low_results:{org}",
            fill={
                "where": _name(facts, org),
                "period": facts.period,
                "years": ", ".join(item["years"]),
                "papers": "; ".join(f"{paper(p)}, {p['year']}: {_criterion(p)}" for p in entries),
                "mentor": mentor_text,
            },
            evidence={
                "years": item["years"],
                "procedures": entries,
                "mentor": mentor and {k: mentor.get(k) for k in ("organization_id", "result")},
            },
        )


def _resilient_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    resilient = [i for i in facts.resilient if i.get("resilient")]
    for org, [item, *_] in _by_school(resilient, facts):
        yield _issue(
            rule,
            facts,
            org,
            f"resilient:{org}",
            fill={
                "where": _name(facts, org),
                "period": facts.period,
                "result": number(item["result"], "percent"),
                "index": number(item["index"]),
            },
            evidence={k: item.get(k) for k in ("index", "result", "residual", "group")},
        )


def subject_programmes(facts: Facts, subject: str) -> list[dict[str, Any]]:
    """The catalogue's programmes for a subject's teachers: those naming the subject in their
    title (its first five letters: "матем", "русск"), then those of the subject-teaching
    competence, each in the catalogue's order (hours)."""
    stem = subject.strip().casefold()[:5]
    naming = [p for p in facts.programmes if stem and stem in p["title"].casefold()]
    teaching = [p for p in facts.programmes if SUBJECT_COMPETENCE in p["competences"]]
    return list({p["code"]: p for p in naming + teaching}.values())


def failed_tasks(profile: dict[str, Any], facts: Facts) -> list[dict[str, Any]]:
    """The tasks of a paper whose completion in the school is below
    `task_deficit_completion` and at least `task_deficit_gap` points below the territory's."""
    t = facts.thresholds
    return [
        task
        for task in profile["tasks"]
        if task.get("completion") is not None
        and task.get("territory_completion") is not None
        and COMPARE["<"](task["completion"], t.task_deficit_completion)
        and task["territory_completion"] - task["completion"] >= t.task_deficit_gap
    ]


def _skill(task: dict[str, Any]) -> str:
    label = f"задание {task['number']}"
    if task.get("skill"):
        label += f" «{task['skill']}»"
    completion = number(task["completion"], "percent")
    return (
        f"{label} — {completion} (по территории {number(task['territory_completion'], 'percent')})"
    )


def _task_rule(rule: Any, facts: Facts) -> Iterator[Candidate]:
    t = facts.thresholds
    for profile in sorted(
        facts.task_profiles,
        key=lambda p: (
            _name(facts, p["organization_id"]),
            p["procedure"],
            p["subject"],
            p["grade"],
        ),
    ):
        tasks = failed_tasks(profile, facts)
        if not tasks:
            continue
        org = profile["organization_id"]
        programmes = subject_programmes(facts, profile["subject"])
        yield _issue(
            rule,
            facts,
            org,
            f"tasks:{profile['procedure']}:{profile['subject']}:{profile['grade']}",
            fill={
                "where": _name(facts, org),
                "period": facts.period,
                "paper": paper(profile),
                "teachers": teachers_of(profile["subject"]),
                "skills": "; ".join(_skill(task) for task in tasks),
                "programmes": programme_titles(programmes),
            },
            extra_actions=[
                {"kind": "pd_programme", "programme_code": p["code"], "text": p["title"]}
                for p in programmes
            ],
            evidence={
                **{k: profile[k] for k in ("procedure", "subject", "grade", "year")},
                "participants": profile.get("participants"),
                "completion_below": t.task_deficit_completion,
                "gap": t.task_deficit_gap,
                "tasks": [
                    {k: task.get(k) for k in ("number", "skill", "level", "completion")}
                    | {"territory_completion": task["territory_completion"]}
                    for task in tasks
                ],
            },
        )


EVALUATORS = {
    "objectivity_risk": _objectivity_rule,
    "low_results_school": _low_results_rule,
    "resilient_school": _resilient_rule,
    "task_deficit": _task_rule,
}
