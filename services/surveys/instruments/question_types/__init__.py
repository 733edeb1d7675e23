"""Question types: one object per type owns everything that differs between types.

A type says which definitions of a question it allows (options, min/max, points...), which
answers it takes and how an answer is stored, positive and scored, how the form shows and reads
it (its widget: `form/templates/questions/<widget>.html`), and its XLSForm `type` cell both ways.
The definition, scoring, form and XLSForm code ask `question_type(name)` and never branch on a
type's name. Adding a type is one class in the module of its kind (`choice.py`, `numeric.py`,
`free.py`; see `base.QuestionType` for what it may override) named in `builtin.BUILT_IN`, plus
a widget template when none fits.

Answers as the API takes them: a likert point or a whole number is an int, yes/no a bool, a
number an int or float, an option its code, several options a list of codes, text a str.
"""

from services.surveys.instruments.question_types.base import (
    NO,
    UNSURE,
    UNSURE_LABEL,
    YES,
    Control,
    QuestionType,
    Value,
    built_in_lists,
    question_type,
    question_types,
    register,
    registered_name,
    type_from_xlsform,
    unregister,
)
from services.surveys.instruments.question_types.builtin import LIKERT5_LABELS, MAX_TEXT

__all__ = [
    "LIKERT5_LABELS",
    "MAX_TEXT",
    "NO",
    "UNSURE",
    "UNSURE_LABEL",
    "YES",
    "Control",
    "QuestionType",
    "Value",
    "built_in_lists",
    "question_type",
    "question_types",
    "register",
    "registered_name",
    "type_from_xlsform",
    "unregister",
]
