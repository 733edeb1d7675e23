"""How indicator values are worded and shown to people, in every service's pages and documents:
Russian status labels, marks and colours, numbers the Russian way (decimal comma, a no-break
space before `%`), targets, changes, a decision's effect and the mark of a value flagged data
went into (`flag_note`). A status is never told by colour
alone: each has its label (and a mark for black-and-white prints)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.templating import grouped, ru_plural

NBSP = "\u00a0"
MINUS = "\u2212"
NO_VALUE = "—"

STATUS_LABELS = {
    "achieved": "достигнуто",
    "not_achieved": "не достигнуто",
    "insufficient_data": "недостаточно данных",
    "no_data": "нет данных",
    "no_target": "цель не задана",
}
# A mark next to the label, so that a black-and-white print still tells them apart.
STATUS_MARKS = {
    "achieved": "✓",
    "not_achieved": "✗",
    "insufficient_data": "?",
    "no_data": "–",
    "no_target": "·",
}
# (fill, text) colours; the fill is also the spreadsheet cell's.
STATUS_COLOURS = {
    "achieved": ("D4EDDA", "155724"),
    "not_achieved": ("F8D7DA", "721C24"),
    "insufficient_data": ("FFF3CD", "856404"),
    "no_data": ("E2E3E5", "383D41"),
    "no_target": ("F1F3F5", "495057"),
}
STATUS_KEYS = {"no_target": "none"}
# Why a survey value is `insufficient_data` while its campaign still takes answers (its figures
# are withheld until the close, shared/disclosure.py CAMPAIGN_OPEN): a value's `reason_text`.
CAMPAIGN_OPEN_TEXT = "анкетирование ещё идёт: результаты будут показаны после закрытия кампании"
# Why a deficit share is `insufficient_data` for a reader who may not read teachers' personal
# results: fewer than two teachers with the deficit or without it (shared/disclosure.py
# INDIVIDUAL_RESULTS); the same words whichever side it is.
INDIVIDUAL_RESULTS_TEXT = "скрыто: по этой доле можно узнать результаты отдельных педагогов"

OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


# A value a flagged data value went into (an outlier, or one a broken validation rule reads:
# README, "Data quality" → "Flagged values"), as the reports' items say it (`flagged`,
# `flagged_organizations`, `flagged_left_out`): a mark and words next to the value, never a
# colour alone, and why in a title and the table's note.
FLAG_MARK = "⚠"
FLAGGED_WORDS = "требует проверки"
LEFT_OUT_WORDS = "не учтены данные на проверке"
_FLAGGED_DATA = "данные, которые нарушают правило проверки или похожи на выброс"


@dataclass(frozen=True)
class FlagNote:
    """What a flagged value says: `words` next to the value («⚠ требует проверки (3 орг.)»),
    `title` why («в значение вошли данные, которые нарушают правило проверки или похожи на
    выброс (3 орг.)»); which of the two it says (`flagged`, `left_out`) and whether each counts
    organizations (`counted`, `left_out_counted`), for the legend (`flag_legend`)."""

    words: str
    title: str
    flagged: bool = False
    left_out: bool = False
    counted: bool = False
    left_out_counted: bool = False

    @property
    def text(self) -> str:
        """The mark and why, each count said once, for a spreadsheet's cell: «⚠ в значение
        вошли данные, … (1 орг.)»."""
        return f"{FLAG_MARK}{NBSP}{self.title}"


def flag_note(
    flagged: bool | None,
    flagged_organizations: int | None,
    flagged_left_out: int | None,
    scope_type: str,
) -> FlagNote | None:
    """The mark of an indicator value from the reports' item fields (never recomputed): None
    when no flagged data value went into it and none was left out (false, null or 0). A
    cluster's or territory's value names how many organizations' flagged values went in and
    how many were left out (`SOKO_FLAGGED_VALUES=skip`), when it counts organizations: a
    formula's group value (`flagged` said, `flagged_organizations` null) counts neither (its
    `flagged_left_out` sums its inputs', so one school left out of two of them is 2); an
    organization's, its own, does not."""
    group = scope_type != "organization"
    words, said = [], []
    count = f" ({flagged_organizations} орг.)" if group and flagged_organizations else ""
    if flagged:
        words.append(f"{FLAGGED_WORDS}{count}")
        said.append(f"в значение вошли {_FLAGGED_DATA}{count}")
    left_out = bool(group and flagged_left_out)
    formula = flagged is not None and flagged_organizations is None
    left_count = f" ({flagged_left_out} орг.)" if left_out and not formula else ""
    if left_out:
        words.append(f"{LEFT_OUT_WORDS}{left_count}")
        said.append(f"не учтены {_FLAGGED_DATA}{left_count}")
    if not said:
        return None
    return FlagNote(
        f"{FLAG_MARK}{NBSP}{'; '.join(words)}",
        "; ".join(said),
        flagged=bool(flagged),
        left_out=left_out,
        counted=bool(flagged and count),
        left_out_counted=bool(left_count),
    )


def item_flag(item: Mapping[str, Any], scope_type: str | None = None) -> FlagNote | None:
    """`flag_note` of one indicator-value item as the reports service sends it (a dict with
    `flagged`, `flagged_organizations`, `flagged_left_out` and `scope_type`, any of the
    first three missing for none); `scope_type` overrides the item's own."""
    return flag_note(
        item.get("flagged"),
        item.get("flagged_organizations"),
        item.get("flagged_left_out"),
        scope_type or item["scope_type"],
    )


def flag_legend(notes: Iterable[FlagNote | None]) -> str:
    """The note under a table explaining the marks its values carry (`notes`, None for an
    unmarked value): only the marks shown; "" when none is."""
    shown = [n for n in notes if n]
    parts = []
    if any(n.flagged for n in shown):
        counted = " (в скобках — у скольких организаций)" if any(n.counted for n in shown) else ""
        parts.append(f"{FLAG_MARK} {FLAGGED_WORDS} — в значение вошли {_FLAGGED_DATA}{counted}")
    if any(n.left_out for n in shown):
        counted = " (в скобках — скольких)" if any(n.left_out_counted for n in shown) else ""
        parts.append(
            f"{FLAG_MARK} {LEFT_OUT_WORDS} — такие данные организаций{counted} "
            "не вошли в значение кластера или территории"
        )
    return "; ".join(parts) + "." if parts else ""


def status_key(status: str | None) -> str:
    """The status as a CSS class suffix."""
    return STATUS_KEYS.get(status, status or "none")


def number(x: float, digits: int = 2, *, fixed: bool = False) -> str:
    """1234.5 → "1 234,5" (digits grouped: `grouped`); `fixed` keeps trailing zeros (80 →
    "80,0" with one digit). Rounded once, half up on the number as written (21.55 → "21,6"
    with one digit, whatever its binary double says): pass the value as computed
    (`exact_value`), not one rounded already, or 53.846 rounded to 53.85 reads «53,9»."""
    exact = Decimal(repr(float(x)))
    if not exact.is_finite():
        return str(x)
    text = f"{exact.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    return grouped(text.replace(".", ",")).replace("-", MINUS)


# How far a value the reports service gives (rounded to two decimals) may lie from the one its
# numerator and denominator make.
_ROUNDED_BY = 0.005 + 1e-9


def exact_value(item: Mapping[str, Any], name: str = "value") -> float | None:
    """An indicator-value item's `value` as computed, before the reports service rounded it to
    two decimals: its numerator ÷ denominator (× 100 for a share in percent) when they give
    that value, so a document rounds once (7 of 13 is 53.846…, «53,8 %», not 53.85 → «53,9
    %»); the value as sent otherwise. `name`: "value" only (the numerator and denominator are
    of the item's own period)."""
    value = item.get(name)
    numerator, denominator = item.get("numerator"), item.get("denominator")
    if value is None or name != "value" or numerator is None or not denominator:
        return value
    ratio = numerator / denominator
    for exact in (100 * ratio, ratio):
        if abs(exact - value) <= _ROUNDED_BY:
            return exact
    return value


def is_yes_no(unit: str, scope_type: str) -> bool:
    """A boolean indicator is yes/no for one organization, a share of them for a group."""
    return unit == "boolean" and scope_type == "organization"


def is_percent(unit: str, scope_type: str) -> bool:
    return unit == "percent" or (unit == "boolean" and scope_type != "organization")


def score_share(percent: float | None) -> str:
    """A share of a score or of people (percent, 0–100) as the recommendations' texts write it
    (services/reports/recommendations/candidates.percent_of): one decimal, none when whole —
    33.33 → «33,3 %», 40.0 → «40 %» — so a teacher's route and the recommendation beside it
    say the same figure (the route said «33 %»); None → «—»."""
    if percent is None:
        return NO_VALUE
    return f"{number(percent, 1)}{NBSP}%"


def value_text(value: float | None, unit: str, scope_type: str) -> str:
    """80.0 (percent) → "80,0 %", 4.25 → "4,25", 1 (boolean, one school) → "да"."""
    if value is None:
        return NO_VALUE
    if is_yes_no(unit, scope_type):
        return "да" if value >= 0.5 else "нет"
    if is_percent(unit, scope_type):
        return f"{number(value, 1, fixed=True)}{NBSP}%"
    return number(value)


def target_text(target: dict[str, Any] | None, unit: str, scope_type: str) -> str:
    """{"op": ">=", "value": 70} → "≥ 70,0 %"."""
    if not target:
        return NO_VALUE
    op = OPS.get(target["op"], target["op"])
    return f"{op}{NBSP}{value_text(target['value'], unit, scope_type)}"


def change_text(change: float | None, unit: str, scope_type: str) -> str:
    """+20.0 (percent) → "+20,0 п.п."; a change of a percent is in percentage points; a
    yes/no of one organization: «стало да» / «стало нет» / «без изменений»."""
    if change is None:
        return NO_VALUE
    if is_yes_no(unit, scope_type):
        return (
            "без изменений"
            if abs(change) < 0.5
            else ("стало «да»" if change > 0 else "стало «нет»")
        )
    sign = "+" if change > 0 else ""
    if is_percent(unit, scope_type):
        return f"{sign}{number(change, 1, fixed=True)}{NBSP}п.п."
    return f"{sign}{number(change)}"


def effect_text(before: float | None, after: float | None, unit: str, scope_type: str) -> str:
    """ "было → стало (изменение)": "60,0 % → 80,0 % (+20,0 п.п.)"."""
    change = after - before if before is not None and after is not None else None
    shown = f"{value_text(before, unit, scope_type)} → {value_text(after, unit, scope_type)}"
    return f"{shown} ({change_text(change, unit, scope_type)})"


def effect_verdict(before: float | None, after: float | None, direction: str) -> str:
    """Did the indicator move the way the indicator wants?"""
    if before is None or after is None:
        return "оценить нельзя: нет значения"
    if abs(after - before) < 1e-9:
        return "без изменений"
    better = after > before if direction != "lower" else after < before
    return "улучшение" if better else "ухудшение"


# How a group's (a cluster's, a territory's) value of an indicator is obtained from what is
# behind it, as the reports service computes it (services/reports/indicator_values/methods/):
# said next to every group figure, so that a mean of schools' percentages is never read as
# a figure over all participants (DOMAIN.md: a group's percentage is pooled unless an
# indicator says otherwise).
MEAN_OF_ORGANIZATIONS = "среднее по организациям, без учёта их численности"
SUM_OF_ORGANIZATIONS = "сумма по организациям"
SHARE_OF_ORGANIZATIONS = "доля организаций"
OVER_PARTICIPANTS = "по всем участникам"
OVER_RESPONDENTS = "по всем ответившим"
OVER_DIAGNOSED = "по всем педагогам, прошедшим диагностику"
BY_FORMULA = "по формуле из значений группы"
POOLED_FORMULA = "по формуле из сумм по организациям, приславшим все её слагаемые"


def group_basis(method: str, unit: str, params: dict[str, Any] | None, pooled: bool = False) -> str:
    """How a group's value of an indicator (`method`, `unit`, `params` of its definition) is
    obtained, in Russian: «среднее по организациям …» (a data value in percent or a number:
    the organizations' own figures averaged), «сумма по организациям» (a count), «доля
    организаций» (yes/no values, conditions, the complex analysis' flags), «по всем
    участникам» (assessment results pooled), «по всем ответившим» (surveys pooled), «по всем
    педагогам, прошедшим диагностику», «по формуле из значений группы» (`pooled`: a ratio
    of counts the schools post, `shared.indicator_methods.pools_schools`: «по формуле из
    сумм по организациям, приславшим все её слагаемые»)."""
    params = params or {}
    if method == "data_value":
        if params.get("value_type") == "boolean" or unit == "boolean":
            return f"{SHARE_OF_ORGANIZATIONS} со значением «да»"
        return SUM_OF_ORGANIZATIONS if unit == "count" else MEAN_OF_ORGANIZATIONS
    if method in ("organization_share", "organization_flagged_share"):
        return SHARE_OF_ORGANIZATIONS
    if method == "assessment_metric":
        return SUM_OF_ORGANIZATIONS if params.get("metric") == "participants" else OVER_PARTICIPANTS
    if method in ("survey_positive_share", "survey_mean"):
        return OVER_RESPONDENTS
    if method == "deficit_share":
        return OVER_DIAGNOSED
    return POOLED_FORMULA if pooled else BY_FORMULA


# What a value's `n` counts, by the indicator's method: (one, few, many) after «по данным N …».
# A formula's `n` is the least of its inputs' and may count anything: not said.
_COUNTED = {
    "data_value": ("организации", "организаций", "организаций"),
    "organization_share": ("организации", "организаций", "организаций"),
    "organization_flagged_share": ("организации", "организаций", "организаций"),
    "survey_positive_share": ("ответившего", "ответивших", "ответивших"),
    "survey_mean": ("ответившего", "ответивших", "ответивших"),
    "assessment_metric": ("участника", "участников", "участников"),
    "deficit_share": ("педагога", "педагогов", "педагогов"),
}


def counted_basis(n: int | None, method: str | None) -> str:
    """« (по данным 57 ответивших)»: what a value of an indicator of `method` rests on, in
    words (beside `group_basis`, which says how a group's value is obtained); "" when it rests
    on one organization's own figure, on nothing counted, or on a formula (its `n` may count
    anything): «n = 1» tells a leader nothing."""
    nouns = _COUNTED.get(method or "")
    if n is None or n <= 1 or nouns is None:
        return ""
    return f" (по данным {n} {ru_plural(n, *nouns)})"
