"""The Russian words of the lifecycle statuses every service shows: an activity's, a
recommendation's and a collection's approval. One home, so that the api's pages, the reports'
documents and their spreadsheets word a status the same way (an indicator value's status:
shared/value_labels.py).
"""

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
# Where an organization's data of a collection stand (api `collections.approvals`).
APPROVAL_STATUS_LABELS = {
    "not_submitted": "не представлено",
    "submitted": "представлено на утверждение",
    "returned": "возвращено на доработку",
    "approved": "утверждено",
}
