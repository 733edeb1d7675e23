"""The question types of the definition format, registered in this order.

The order is the one `question_types()` lists and error messages name the known types in, and
the one `type_from_xlsform` tries them in (a select_one with the built-in `likert5` list is a
likert5 before it is a single choice). A new type is a class in the module of its kind,
added to `BUILT_IN` here.
"""

from services.surveys.instruments.question_types.base import QuestionType, register
from services.surveys.instruments.question_types.choice import Multiple, Single, TestItem, YesNo
from services.surveys.instruments.question_types.free import MAX_TEXT, Calculate, Note, Text
from services.surveys.instruments.question_types.numeric import (
    LIKERT5_LABELS,
    Integer,
    Likert5,
    Number,
)

BUILT_IN: tuple[type[QuestionType], ...] = (
    Likert5,
    Single,
    Multiple,
    YesNo,
    Number,
    Integer,
    Note,
    Calculate,
    Text,
    TestItem,
)
for _type in BUILT_IN:
    register(_type)

__all__ = ["BUILT_IN", "LIKERT5_LABELS", "MAX_TEXT"]
