"""The Russian words every service shows alike: the lifecycle statuses (an activity's, a
recommendation's and a collection's approval), the roles and their scopes, and the refusal of
an organization the caller cannot reach. One home, so that the api's pages, the reports'
documents and their spreadsheets word them the same way (an indicator value's status:
shared/value_labels.py).
"""

from collections.abc import Iterable

from shared.templating import quoted

# A roadmap activity's status.
ACTIVITY_STATUS_LABELS = {
    "planned": "запланировано",
    "in_progress": "выполняется",
    "done": "выполнено",
    "cancelled": "отменено",
}
# A recommendation's lifecycle (the reports service's TRANSITIONS decide the moves).
RECOMMENDATION_STATUS_LABELS = {
    "new": "новая",
    "accepted": "принята",
    "in_progress": "в работе",
    "done": "выполнена",
    "rejected": "отклонена",
}

# A validation rule's importance (services/api/validation).
VALIDATION_IMPORTANCE_LABELS = {"high": "высокая", "medium": "средняя", "low": "низкая"}
# Which outlier check flagged a value (services/api/outliers): `min_max` is told apart by the
# side crossed, below.
OUTLIER_CHECK_LABELS = {
    "min_max": "вне границ",
    "territory_z": "отличается от значений организаций территории",
    "history_z": "отличается от прежних значений организации",
}
OUTLIER_SIDE_LABELS = {"below": "ниже нижней границы", "above": "выше верхней границы"}
# Where an organization's data of a collection stand (api `collections.approvals`).
APPROVAL_STATUS_LABELS = {
    "not_submitted": "не представлено",
    "submitted": "представлено на утверждение",
    "returned": "возвращено на доработку",
    "approved": "утверждено",
}

# A person's role, as the pages and the messages name it.
ROLE_LABELS = {
    "admin": "администратор",
    "territory_analyst": "аналитик территории",
    "methodologist": "методист",
    "organization_leader": "руководитель организации",
    "teacher": "педагог",
    "viewer": "наблюдатель",
}
# An organization's kind (`kind`, shared.indicator_methods.ORGANIZATION_KINDS) in the plural
# of «для …»: «показатель для школ».
ORGANIZATION_KINDS_FOR = {
    "school": "школ",
    "kindergarten": "детских садов",
    "additional": "организаций дополнительного образования",
    "college": "колледжей",
}
# What a role's scope is (`scope_type`): as a noun, and as the object of «укажите …».
SCOPE_TYPE_LABELS = {"territory": "территория", "cluster": "кластер", "organization": "организация"}
SCOPE_TYPE_OBJECTS = {
    "territory": "территорию",
    "cluster": "кластер",
    "organization": "организацию",
}

# An organization that does not exist and one outside what the caller may see are refused
# alike (a refusal must not tell them apart); «область» would read as a region.
OUT_OF_REACH = "вне вашей зоны доступа"


def organization_not_found(name: str | None = None) -> str:
    """«организация «name» не найдена или вне вашей зоны доступа» (without a name: without it)."""
    named = f" {quoted(name)}" if name is not None else ""
    return f"организация{named} не найдена или {OUT_OF_REACH}"


def organizations_not_found(ids: Iterable[str]) -> str:
    """«Организации не найдены или вне вашей зоны доступа: id, id»."""
    return f"Организации не найдены или {OUT_OF_REACH}: {', '.join(ids)}"
