"""How the documents word and show things: Russian labels, status colours, number formats.

One place for both outputs, so that the HTML page and the spreadsheet say the same thing.
Numbers are shown the Russian way (decimal comma, a no-break space before `%`); the
spreadsheet keeps them as numbers and gives them the matching number format.
"""

from typing import Any

from shared.labels import (  # noqa: F401 - the documents' names for them
    ACTIVITY_STATUS_LABELS,
    RECOMMENDATION_STATUS_LABELS,
    VALUE_STATUS_COLOURS,
    VALUE_STATUS_LABELS,
    VALUE_STATUS_MARKS,
)

NBSP = "\u00a0"
MINUS = "\u2212"
NO_VALUE = "—"

STATUS_LABELS = VALUE_STATUS_LABELS
STATUS_MARKS = VALUE_STATUS_MARKS
STATUS_COLOURS = VALUE_STATUS_COLOURS
STATUS_KEYS = {"no_target": "none"}

SCOPE_LABELS = {"organization": "организация", "cluster": "кластер", "territory": "территория"}
LEVEL_LABELS = {
    "region": "региональный",
    "municipality": "муниципальный",
    "cluster": "кластерный",
    "organization": "уровень образовательной организации",
}
ADDRESSEE_LABELS = {
    "organization_leader": "руководитель ОО",
    "teacher": "педагог",
    "pd_centre": "ЦНППМ / ИМЦ",
    "authority": "орган управления образованием",
}
PASSPORT_LABELS = {
    "goal": "Цель",
    "tasks": "Задачи",
    "expected_result": "Ожидаемый результат",
    "indicators": "Показатели и методы сбора информации",
    "monitoring": "Мониторинг",
    "analysis": "Анализ",
    "recommendations": "Адресные рекомендации",
    "decisions": "Управленческие решения",
    "effectiveness": "Оценка эффективности",
}
RISK_ORDER = {"high": 0, "low": 1, "none": 2}
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}
NOK_LABELS = {
    "k1": "К1 Открытость",
    "k2": "К2 Комфортность",
    "k3": "К3 Доступность",
    "k4": "К4 Доброжелательность",
    "k5": "К5 Удовлетворённость",
}


def status_key(status: str | None) -> str:
    """The status as a CSS class suffix."""
    return STATUS_KEYS.get(status, status or "none")


def number(x: float, digits: int = 2, *, fixed: bool = False) -> str:
    """1234.5 → "1234,5"; `fixed` keeps trailing zeros (80 → "80,0" with one digit)."""
    text = f"{x:.{digits}f}"
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    return text.replace(".", ",").replace("-", MINUS)


def is_yes_no(unit: str, scope_type: str) -> bool:
    """A boolean indicator is yes/no for one organization, a share of them for a group."""
    return unit == "boolean" and scope_type == "organization"


def is_percent(unit: str, scope_type: str) -> bool:
    return unit == "percent" or (unit == "boolean" and scope_type != "organization")


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
    """+20.0 (percent) → "+20,0 п.п."; a change of a percent is in percentage points."""
    if change is None:
        return NO_VALUE
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


def excel_format(unit: str, scope_type: str) -> str:
    """The spreadsheet number format matching `value_text` (the value stays a number)."""
    return '0.0" %"' if is_percent(unit, scope_type) else "General"


def excel_change_format(unit: str, scope_type: str) -> str:
    """A change with its sign; of a percentage, in percentage points."""
    if is_percent(unit, scope_type):
        return '+0.0" п.п.";-0.0" п.п.";0.0" п.п."'
    return "+General;-General;General"
