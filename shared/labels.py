"""The Russian words of the statuses every service shows: an indicator value's status against
its target, an activity's and a recommendation's lifecycle. One home, so that the api's pages,
the reports' documents and their spreadsheets word a status the same way.
"""

# An indicator value against its target (the reports service's `status`).
VALUE_STATUS_LABELS = {
    "achieved": "достигнуто",
    "not_achieved": "не достигнуто",
    "insufficient_data": "недостаточно данных",
    "no_data": "нет данных",
    "no_target": "цель не задана",
}
# A mark next to the label, so that a black-and-white print (or a reader who does not tell
# the colours apart) still tells them apart.
VALUE_STATUS_MARKS = {
    "achieved": "✓",
    "not_achieved": "✗",
    "insufficient_data": "?",
    "no_data": "–",
    "no_target": "·",
}
# (fill, text) colours as RRGGBB; the fill is also the spreadsheet cell's. Each pair has a
# contrast ratio above 4.5 (WCAG AA).
VALUE_STATUS_COLOURS = {
    "achieved": ("D4EDDA", "155724"),
    "not_achieved": ("F8D7DA", "721C24"),
    "insufficient_data": ("FFF3CD", "856404"),
    "no_data": ("E2E3E5", "383D41"),
    "no_target": ("F1F3F5", "495057"),
}
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
