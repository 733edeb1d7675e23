"""Whether one scope's indicator values of different periods may be compared, and the Russian
words for when they may not. One home for every comparison of periods the recommendations
make: «falling two periods running» (`engine`, `indicator_falling`), the `{previous}` and
`{change}` placeholders of an indicator's rules (`engine._indicator_fill`) and a management
decision's effect (`decisions.effect`, and the roadmap report's, documents/records.py): judged
only against a later period (`not_later`) whose value is comparable (`not_comparable`)."""

from typing import Any

from shared.default_period import organizations_of
from shared.periods import parse_period

# The share (percent, 0-100) of a group's organizations a value must be made of to be compared
# with another period's (`indicator_falling`'s `min_coverage` by default): the half that a
# period needs to be shown by default (shared.default_period.thick).
MIN_COVERAGE = 50.0


def comparable(items: list[dict[str, Any]], unit: str, min_coverage: float = MIN_COVERAGE) -> bool:
    """Whether one scope's values of several periods (`items`: indicator value items, with
    their `coverage`) may be compared as a trend: each made of at least `min_coverage` percent
    of its group's organizations (of those open in its period), and a count — a group's sum
    over its organizations — of as many organizations in every period (one school's 50 after
    a district's 670 is no fall). An item whose coverage counts no organizations (a survey's
    respondents) is not held back here; a school's own value counts 1 of 1."""
    counted = [organizations_of(i.get("coverage")) for i in items]
    known = [c for c in counted if c is not None]
    for reporting, total in known:
        if not total or 100 * reporting < min_coverage * total:
            return False
    return unit != "count" or len({reporting for reporting, _ in known}) <= 1


def kept(coverage: dict[str, Any] | None) -> dict[str, int] | None:
    """The part of a value's `coverage` that `comparable` reads, to keep with what rests on
    the value (a recommendation's evidence, a decision's baseline): {"organizations_reporting",
    "organizations"}; None when it counts no organizations."""
    counted = organizations_of(coverage)
    if counted is None:
        return None
    return {"organizations_reporting": counted[0], "organizations": counted[1]}


def apart(periods: list[tuple[str, dict[str, Any] | None]], unit: str, min_coverage: float) -> str:
    """Why values of `periods` (each (period code, its value's coverage)) are not compared, in
    Russian: «значения несопоставимы: за 2020/2021 — по 1 из 3 организаций, за 2021/2022 — по 3
    из 3 (сравниваются значения не менее чем по 50 % организаций группы)»; for a count «… по
    одинаковому числу организаций» too."""
    counted = [(code, c) for code, coverage in periods if (c := organizations_of(coverage))]
    said = [
        f"за {code} — по {reporting} из {total}" + (" организаций" if i == 0 else "")
        for i, (code, (reporting, total)) in enumerate(counted)
    ]
    share = f"{min_coverage:g}".replace(".", ",")
    rule = f"не менее чем по {share}\u00a0% организаций группы"
    if unit == "count":
        rule += ", по одинаковому их числу"
    return f"значения несопоставимы: {', '.join(said)} (сравниваются значения {rule})"


def not_comparable(
    before: tuple[str, dict[str, Any] | None],
    after: tuple[str, dict[str, Any] | None],
    unit: str,
    min_coverage: float = MIN_COVERAGE,
) -> str | None:
    """Why a value of one period (`before`: its period code and coverage) may not be compared
    with one of another (`after`), in Russian (`apart`); None when they may (`comparable`)."""
    items = [{"coverage": before[1]}, {"coverage": after[1]}]
    return (
        None
        if comparable(items, unit, min_coverage)
        else apart([before, after], unit, min_coverage)
    )


def not_later(before: str, after: str) -> str | None:
    """Why a value of period `after` cannot show the effect of a decision taken on the value of
    period `before` (period codes), in Russian: the same period («решение принято по значению
    этого периода») or one that does not start later («2023/2024 — не позже периода решения
    (2024/2025): …») — the decision cannot have changed the value it was taken on, nor an
    earlier one; None when `after` starts later (a period of another kind too: 2025 after
    2024/2025)."""
    if after == before:
        return "решение принято по значению этого периода"
    if parse_period(after).start > parse_period(before).start:
        return None
    return (
        f"{after} — не позже периода решения ({before}), его эффект виден только в более "
        "поздних периодах"
    )
