"""How the documents word and show things: Russian labels, status colours, number formats.

One place for both outputs, so that the HTML page and the spreadsheet say the same thing.
Numbers are shown the Russian way (decimal comma, a no-break space before `%`); the
spreadsheet keeps them as numbers and gives them the matching number format.
"""

from shared.labels import (  # noqa: F401 - the documents' names for them
    ACTIVITY_STATUS_LABELS,
    RECOMMENDATION_STATUS_LABELS,
    SCOPE_TYPE_LABELS,
)
from shared.value_labels import (  # noqa: F401 - the documents' labels are these too
    FLAG_MARK,
    MINUS,
    NBSP,
    NO_VALUE,
    OPS,
    STATUS_COLOURS,
    STATUS_KEYS,
    STATUS_LABELS,
    STATUS_MARKS,
    FlagNote,
    change_text,
    effect_text,
    effect_verdict,
    exact_value,
    flag_legend,
    flag_note,
    is_percent,
    is_yes_no,
    item_flag,
    number,
    status_key,
    target_text,
    value_text,
)

SCOPE_LABELS = SCOPE_TYPE_LABELS
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
NOK_LABELS = {
    "k1": "К1 Открытость",
    "k2": "К2 Комфортность",
    "k3": "К3 Доступность",
    "k4": "К4 Доброжелательность",
    "k5": "К5 Удовлетворённость",
}


# Which data a document shows: the published view counts approved data values only.
DATA_VIEW_LABELS = {True: "опубликованные (утверждённые) данные", False: "рабочие данные"}


def excel_format(unit: str, scope_type: str) -> str:
    """The spreadsheet number format matching `value_text` (the value stays a number)."""
    return '0.0" %"' if is_percent(unit, scope_type) else "General"


def excel_change_format(unit: str, scope_type: str) -> str:
    """A change with its sign; of a percentage, in percentage points."""
    if is_percent(unit, scope_type):
        return '+0.0" п.п.";-0.0" п.п.";0.0" п.п."'
    return "+General;-General;General"
