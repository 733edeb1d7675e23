"""What a question type is, and the registry that the rest of the surveys service asks.

A `QuestionType` says which definitions of a question it allows, which answers it takes and how
an answer is stored, positive and scored, how the form shows and reads it, and its XLSForm
`type` cell both ways. Its flags (`options`, `scored`, `ranged`, ...) cover what most types
share; a type overrides a method where it differs.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from services.surveys.instruments.definition import Question

# An answer value as relevance conditions and positive answers name it: a yes/no answer (bool),
# a likert5 point or a whole number (int), or an option code (str).
Value = bool | int | str
# The form control of a question: a group of radios or checkboxes, a number box, a text area;
# none for a note or a calculation.
Control = Literal["radio", "checkbox", "number", "text", "none"]

YES, NO = "yes", "no"  # a yes/no answer in the form and in XLSForm
# The answer «затрудняюсь ответить» of a question that allows it (`allow_unsure`): stored as
# this option with no number and no positivity, so that no mean, positive share or indicator
# value counts it in its denominator (it shows in the counts only).
UNSURE = "unsure"
UNSURE_LABEL = "Затрудняюсь ответить"


def fail(question: Question, message: str) -> ValueError:
    """The error of a question's definition, naming the question."""
    return ValueError(f"вопрос «{question.code}»: {message}")


class QuestionType(ABC):
    """The behaviour every type has; the flags and overrides of a subclass say how it differs."""

    name: ClassVar[str]
    options: ClassVar[bool] = False  # a question needs options (True) or takes none (False)
    scored: ClassVar[bool] = False  # a test item: a competence, points, correct options
    ranged: ClassVar[bool] = False  # takes `min` and `max`
    positive_answers: ClassVar[bool] = True  # may name answers positive for satisfaction
    default_positive: ClassVar[tuple[Value, ...]] = ()
    control: ClassVar[Control] = "radio"
    widget: ClassVar[str] = "choices"  # the template `form/templates/questions/<widget>.html`
    marked: ClassVar[bool] = False  # the form shows a choice's value before its label
    xlsform_bases: ClassVar[tuple[str, ...]]  # the first word of the `type` cell; [0] is written
    built_in_list: ClassVar[str | None] = None  # `select_one <list>` whatever the choices sheet
    # False for a note (text only) and a calculation (the server works it out): no answer.
    answered: ClassVar[bool] = True
    # A question of this type may offer «затрудняюсь ответить» (`allow_unsure`).
    unsure: ClassVar[bool] = False

    # The definition of a question.

    def check_definition(self, question: Question) -> None:
        """ValueError naming the question when its definition does not suit the type."""
        self._check_options(question)
        self._check_range(question)
        self._check_scoring(question)
        self._check_positive(question)
        if question.allow_unsure and not self.unsure:
            raise fail(
                question,
                f"allow_unsure («затрудняюсь ответить») не бывает у вопроса типа «{self.name}»",
            )

    def _check_options(self, question: Question) -> None:
        if self.options and not question.options:
            raise fail(question, f"вопросу типа «{self.name}» нужны варианты ответа")
        if not self.options and question.options:
            raise fail(question, f"у вопроса типа «{self.name}» не бывает вариантов ответа")
        seen: set[str] = set()
        for option in question.options:
            if option.code in seen:
                raise fail(question, f"вариант «{option.code}» повторяется")
            seen.add(option.code)
            if not self.scored and (option.correct or option.points):
                raise fail(
                    question,
                    f"вариант «{option.code}»: correct и points задаются только у тестовых заданий",
                )

    def _check_range(self, question: Question) -> None:
        low, high = question.min, question.max
        if not self.ranged and (low is not None or high is not None):
            raise fail(question, "min и max (границы ответа) задаются только у числовых вопросов")
        if low is not None and high is not None and low > high:
            raise fail(question, f"min {low:g} больше max {high:g}")

    def _check_scoring(self, question: Question) -> None:
        if question.competence is not None:
            raise fail(question, "competence (компетенция) задаётся только у тестовых заданий")
        if question.points is not None:
            raise fail(question, "points (баллы) задаются только у тестовых заданий")

    def _check_positive(self, question: Question) -> None:
        if question.positive is None:
            return
        if not self.positive_answers:
            raise fail(
                question, f"у вопроса типа «{self.name}» нет положительных ответов (positive)"
            )
        for value in question.positive:
            if not self.accepts(question, value):
                raise fail(
                    question, f"положительный ответ «{value}» (positive) — не ответ на этот вопрос"
                )

    def fill(self, question: Question) -> None:
        """Fill what the definition leaves to the type: the default positive answers."""
        if question.positive is None and self.default_positive:
            question.positive = list(self.default_positive)

    def accepts(self, question: Question, value: Value) -> bool:
        """Whether `value` is a possible answer (for relevance conditions and positive answers)."""
        return False

    # Answers.

    @abstractmethod
    def check_answer(self, question: Question, value: Any) -> str | None:
        """Why `value` (not blank) is not an answer to the question, in Russian; None if it is."""

    def is_positive(self, question: Question, value: Any) -> bool | None:
        """Whether the answer counts as positive; None when the question names no positive
        answers (an empty list: it does not count towards satisfaction)."""
        return value in question.positive if question.positive else None

    @abstractmethod
    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        """The columns of the answer's row: `number`, `option`, `options`, `text`, `points`."""

    def points(self, question: Question, value: Any) -> float:
        """What the answer (None: unanswered) adds to its competence's score."""
        return 0.0

    # The form: fields carry strings, a question's field is named by its code.

    def choices(self, question: Question, instrument_kind: str) -> list[tuple[str, str]]:
        """(form value, label) of each choice; [] for a widget without choices."""
        return []

    def from_form(self, given: list[str]) -> Any:
        """The answer from the non-empty values of the question's fields."""
        return given[0]  # one value: `form.view.answers_from` refuses a second one

    def form_text(self, value: Any) -> str:
        """A stored answer (or one item of a list) as the form's field value."""
        if isinstance(value, float):
            return f"{value:g}" if math.isfinite(value) else str(value)
        return str(value)

    def described(self, question: Question, value: Value, instrument_kind: str) -> tuple[str, str]:
        """A relevance value as a form value and in words (for a page without JavaScript)."""
        return str(value), str(value)

    # XLSForm.

    def reads_xlsform(self, base: str, competence: bool) -> bool:
        """Whether a `type` cell starting with `base` (a list named, not a built-in one) is
        this type, for a row with or without a competence."""
        return base in self.xlsform_bases

    def xlsform_type(self, list_name: str) -> str:
        """The `type` cell of a question, its options being on the list `list_name`."""
        base = self.xlsform_bases[0]
        if self.built_in_list is not None:
            return f"{base} {self.built_in_list}"
        return f"{base} {list_name}" if self.options else base

    def built_in_choices(self, instrument_kind: str) -> list[tuple[str, str]]:
        """(name, label) of the built-in list's choices, as the choices sheet shows them."""
        return []

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        """The value a `relevant` term compares question `code` to; ValueError if none."""
        raise self._not_comparable(code, literal)

    def relevant_term(self, code: str, value: Value) -> str:
        """A `relevant` term true when question `code` has the answer `value`."""
        return f"${{{code}}} = {self.xlsform_literal(value)}"

    def xlsform_literal(self, value: Value) -> str:
        """An answer as an XLSForm expression writes it."""
        return f"'{value}'"

    def parse_positive(self, cell: str, tokens: list[str]) -> list[Value]:
        """The positive answers named by the words of a `positive` cell."""
        return list(tokens)

    def format_positive(self, value: Value) -> str:
        """A positive answer as a word of the `positive` cell."""
        return str(value)

    @staticmethod
    def _not_comparable(code: str, literal: str) -> ValueError:
        return ValueError(f"«{literal}» — не значение, с которым условие может сравнить «{code}»")


_REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Make a question type known by its name (a class decorator)."""
    _REGISTRY[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    """Forget a question type (for a test that registered a toy one)."""
    _REGISTRY.pop(name, None)


def question_type(name: str) -> QuestionType:
    """The type of this name; KeyError when none is registered."""
    return _REGISTRY[name]


def question_types() -> list[QuestionType]:
    """Every registered type, in the order of registration."""
    return list(_REGISTRY.values())


def registered_name(name: str) -> str:
    """`name` when a type has it (a Pydantic validator); ValueError naming the known ones."""
    if name not in _REGISTRY:
        raise ValueError(f"неизвестный тип вопроса «{name}» (известны: {', '.join(_REGISTRY)})")
    return name


def type_from_xlsform(type_cell: str, competence: str) -> tuple[str, str | None]:
    """Our question type and the choice list it uses (None: none or a built-in one), from an
    XLSForm `type` cell; ValueError saying what is wrong with the cell."""
    tokens = type_cell.split()
    if not tokens:
        raise ValueError("тип не указан")
    base = tokens[0].lower()
    types = question_types()
    list_name = None
    if any(t.options or t.built_in_list for t in types if base in t.xlsform_bases):
        if len(tokens) != 2:
            raise ValueError(
                f"тип «{type_cell}»: после {base} нужно имя списка вариантов: «{base} <имя списка>»"
            )
        list_name = tokens[1]
        built_in = next((t for t in types if t.built_in_list == list_name), None)
        if built_in is not None:
            if base not in built_in.xlsform_bases:
                only = " или ".join(built_in.xlsform_bases)
                raise ValueError(f"встроенный список «{list_name}» — только для типа {only}")
            return built_in.name, None
    elif len(tokens) != 1:
        base = ""  # a word after a type that takes no list: unknown
    for kind in types:
        if kind.built_in_list is None and kind.reads_xlsform(base, bool(competence)):
            return kind.name, list_name
    supported = dict.fromkeys(b for t in types for b in t.xlsform_bases)
    raise ValueError(
        f"тип «{type_cell}» не поддерживается (поддерживаются: {', '.join(supported)}, "
        "begin group, end group)"
    )


def built_in_lists() -> frozenset[str]:
    """The names of the built-in choice lists, which a question's own list never takes."""
    return frozenset(t.built_in_list for t in question_types() if t.built_in_list is not None)
