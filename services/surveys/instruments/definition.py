"""The instrument definition format: questionnaires and scored diagnostics as validated data.

An instrument is stored as JSON (see `bank/`) and validated by `InstrumentDefinition`. Every
error raised by a validator is Russian (the author reads it) and names the offending question,
option or competence code in «» quotes and the field it is about by its name, so that a
methodologist (and the XLSForm reader, which maps codes back to spreadsheet rows) can find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from services.surveys.instruments import xpath
from services.surveys.instruments.question_types import (
    Value,
    question_type,
    registered_name,
)
from shared.texts import shown_text
from shared.validation import Measure, NonNegativeMeasure

BANK_DIR = Path(__file__).parent / "bank"
# Questions of one instrument at most: as many answers as one response takes (ResponseIn).
MAX_QUESTIONS = 500

# A question's type: the name of a registered one (see `question_types`).
QuestionTypeName = Annotated[str, AfterValidator(registered_name)]
Kind = Literal["satisfaction", "deficit", "self_assessment"]
Audience = Literal["parents", "teachers", "leaders", "students"]

# XML names as XLSForm allows them (`Q1`, `hh-size`), no longer than 40 characters.
CODE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,39}$"
# A choice name: no space (a select_multiple answer is its codes separated by spaces).
OPTION_CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,40}$"
INSTRUMENT_CODE_PATTERN = r"^[a-z][a-z0-9_]{2,60}$"
# What each pattern asks for, in words: for `shared.validation_messages.russian_message`,
# which says pydantic's errors of a definition (JSON or XLSForm) in Russian.
DEFINITION_PATTERNS = {
    CODE_PATTERN: "имя должно начинаться с латинской буквы или _, дальше — до 39 латинских букв, "
    "цифр, _, - или .",
    OPTION_CODE_PATTERN: "нужны 1–40 латинских букв, цифр, _, - или ., без пробелов",
    INSTRUMENT_CODE_PATTERN: "нужны 3–61 строчная латинская буква, цифра или _, первая — буква",
}


# Validation context of a definition being added (POST /v1/instruments, an XLSForm import):
# its texts are checked as typed. A stored one is read as it was kept.
ADDED = {"added": True}


def _as_typed(value: str, info: ValidationInfo) -> str:
    return shown_text(value) if info.context and info.context.get("added") else value


# A text the respondent reads (a question, an option, a hint, a title): no invisible
# character that changes how it reads (shared.texts.shown_text), in a definition being added.
ShownText = Annotated[str, AfterValidator(_as_typed)]


class _Model(BaseModel):
    # Typos in hand-written JSON (e.g. "requried") must fail loudly, not be dropped.
    model_config = ConfigDict(extra="forbid")


def _check_expression(text: str) -> str:
    xpath.parse(text)  # ExpressionError (a ValueError) saying what cannot be read
    return text


# An ODK XPath expression (see `xpath`): checked when the definition is read.
Expression = Annotated[str, AfterValidator(_check_expression)]
# Texts per XLSForm language name ("Russian (ru)", or "default" for unsuffixed columns).
TranslatedField = Literal["text", "title", "hint", "constraint_message", "required_message"]
# The translations are shown as the texts are: checked alike (ShownText) when added.
Translations = dict[str, dict[TranslatedField, ShownText]]


class Option(_Model):
    """One answer option of a question of a type with options (`question_types`)."""

    code: str = Field(pattern=OPTION_CODE_PATTERN)
    text: ShownText = Field(min_length=1)
    correct: bool = False
    points: NonNegativeMeasure = 0
    translations: Translations | None = None
    # Other columns of the choices sheet (what a `choice_filter` compares, e.g. `level`).
    properties: dict[str, str] | None = None


class Relevance(_Model):
    """Show (and require) a question only when an earlier answer equals / is in the values."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    question: str
    equals: Value | None = None
    in_: list[Value] | None = Field(default=None, alias="in", min_length=2)

    @model_validator(mode="after")
    def _exactly_one_condition(self) -> Self:
        if (self.equals is None) == (self.in_ is None):
            raise ValueError(
                f"условие показа по «{self.question}» (relevant): укажите ровно одно из equals и in"
            )
        return self

    def values(self) -> list[Value]:
        """The answers of the earlier question that make the question shown."""
        return [self.equals] if self.in_ is None else list(self.in_)


class Question(_Model):
    """One question of a questionnaire or one scored item of a diagnostic."""

    code: str = Field(pattern=CODE_PATTERN)
    type: QuestionTypeName
    text: ShownText = Field(min_length=1)
    hint: ShownText | None = None
    required: bool = True
    options: list[Option] = Field(default_factory=list)
    # A number's answers lie within ±10^15 whatever these say (see shared.validation.Measure).
    min: Measure | None = None
    max: Measure | None = None
    relevant: Relevance | None = None
    competence: str | None = None
    points: NonNegativeMeasure | None = Field(default=None, gt=0)
    positive: list[Value] | None = None
    # A likert question may offer «затрудняюсь ответить» (answer "unsure"), not counted in any
    # denominator; None (left out of the stored JSON) when it does not.
    allow_unsure: bool | None = None
    # XLSForm logic beyond the structured fields above, all ODK XPath (see `xpath`): shown when
    # `relevant` and `relevant_expression` both hold; required when `required` or
    # `required_expression` holds; an answer must satisfy min, max and `constraint` (`.` is the
    # answer); an option is offered when `choice_filter` holds for it (bare names are its
    # properties); a `calculate` question's value is its `calculation`.
    relevant_expression: Expression | None = None
    required_expression: Expression | None = None
    constraint: Expression | None = None
    choice_filter: Expression | None = None
    calculation: Expression | None = None
    constraint_message: ShownText | None = None
    required_message: ShownText | None = None
    appearance: str | None = None
    translations: Translations | None = None

    @model_validator(mode="after")
    def _check_and_fill(self) -> Self:
        self.allow_unsure = self.allow_unsure or None  # false is the default: not stored
        kind = question_type(self.type)
        kind.check_definition(self)
        kind.fill(self)
        return self

    def option_codes(self) -> list[str]:
        """The codes of the options, in order."""
        return [o.code for o in self.options]

    def accepts(self, value: Value) -> bool:
        """Whether `value` is a possible answer (for relevance conditions and positive answers)."""
        return question_type(self.type).accepts(self, value)


class Section(_Model):
    """A titled group of questions, shown together."""

    code: str = Field(pattern=CODE_PATTERN)
    title: ShownText = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    appearance: str | None = None
    translations: Translations | None = None


class Competence(_Model):
    """A competence measured by a diagnostic's test items."""

    code: str = Field(pattern=CODE_PATTERN)
    title: ShownText = Field(min_length=1)
    # A teacher has a deficit in the competence when their score < threshold × maximum.
    threshold: float = Field(default=0.6, gt=0, le=1)
    description: ShownText | None = None


class InstrumentDefinition(_Model):
    """A questionnaire (satisfaction, self-assessment) or a scored diagnostic of deficits."""

    code: str = Field(pattern=INSTRUMENT_CODE_PATTERN)
    kind: Kind
    title: ShownText = Field(min_length=1)
    description: ShownText
    audience: list[Audience] = Field(min_length=1)
    source: str | None = None
    language: str = "ru"
    # The XLSForm `default_language` setting as written ("Russian (ru)"), when there is one.
    default_language: str | None = None
    competences: list[Competence] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_instrument(self) -> Self:
        if (count := len(list(self.questions()))) > MAX_QUESTIONS:
            raise ValueError(  # a response takes as many answers at most (ResponseIn)
                f"вопросов в анкете {count}, а не больше {MAX_QUESTIONS}: ответ на такую анкету "
                "не удалось бы отправить"
            )
        self._check_unique_codes()
        self._check_relevance()
        self._check_expressions()
        self._check_competences()
        return self

    def _check_unique_codes(self) -> None:
        for what, codes in (
            ("аудитория", list(self.audience)),
            ("раздел", [s.code for s in self.sections]),
            ("компетенция", [c.code for c in self.competences]),
            ("вопрос", [q.code for q in self.questions()]),
        ):
            seen: set[str] = set()
            for code in codes:
                if code in seen:
                    raise ValueError(f"{what} «{code}» повторяется")
                seen.add(code)

    def _check_relevance(self) -> None:
        earlier: dict[str, Question] = {}
        for question in self.questions():
            rel = question.relevant
            if rel is not None:
                source = earlier.get(rel.question)
                if source is None:
                    raise ValueError(
                        f"вопрос «{question.code}»: relevant ссылается на «{rel.question}», "
                        "а это не вопрос выше по форме"
                    )
                for value in rel.values():
                    if not source.accepts(value):
                        raise ValueError(
                            f"вопрос «{question.code}»: значение «{value}» в relevant — не "
                            f"ответ на вопрос «{source.code}» ({source.type})"
                        )
            earlier[question.code] = question

    def _check_expressions(self) -> None:
        known = {q.code for q in self.questions()}
        for question in self.questions():
            for field in (
                "relevant_expression",
                "required_expression",
                "constraint",
                "choice_filter",
                "calculation",
            ):
                text = getattr(question, field)
                if text is None:
                    continue
                tree = xpath.parse(text)
                column = field.removesuffix("_expression")
                for name in sorted(xpath.references(tree) - known):
                    raise ValueError(
                        f"вопрос «{question.code}»: {column} ссылается на «{name}», "
                        "а такого вопроса в форме нет"
                    )
                if field == "choice_filter" and not question_type(question.type).options:
                    raise ValueError(
                        f"вопрос «{question.code}»: choice_filter бывает только у вопросов "
                        "с вариантами ответа"
                    )
                if field != "choice_filter" and xpath.uses(tree, "name"):
                    raise ValueError(
                        f"вопрос «{question.code}»: {column} «{text}» называет не ответ "
                        "(ответ на вопрос пишется как ${имя_вопроса})"
                    )

    def _check_competences(self) -> None:
        known = {c.code for c in self.competences}
        if self.kind == "deficit" and not known:
            raise ValueError(
                f"инструмент «{self.code}»: диагностике дефицитов нужны компетенции (competences)"
            )
        counts = dict.fromkeys(known, 0)
        for item in self.scored_items():
            if item.competence not in known:
                raise ValueError(
                    f"вопрос «{item.code}»: неизвестная компетенция «{item.competence}» "
                    "(competence)"
                )
            counts[item.competence] += 1
        for code, count in counts.items():
            if count == 0:
                raise ValueError(f"у компетенции «{code}» нет тестовых заданий")

    def questions(self) -> Iterator[Question]:
        """All questions, section by section, in order."""
        for section in self.sections:
            yield from section.questions

    def question(self, code: str) -> Question:
        """The question with this code; KeyError when there is none."""
        for question in self.questions():
            if question.code == code:
                return question
        raise KeyError(code)

    def competence(self, code: str) -> Competence:
        """The competence with this code; KeyError when there is none."""
        for competence in self.competences:
            if competence.code == code:
                return competence
        raise KeyError(code)

    def scored_items(self) -> list[Question]:
        """The test items, in order."""
        return [q for q in self.questions() if question_type(q.type).scored]

    def max_score(self, competence_code: str) -> float:
        """The maximum score in a competence: the sum of its items' points."""
        self.competence(competence_code)
        return sum(q.points or 0 for q in self.scored_items() if q.competence == competence_code)


def load_instrument(source: str | Path | bytes) -> InstrumentDefinition:
    """Read one instrument from a JSON file path or from JSON bytes."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return InstrumentDefinition.model_validate_json(data)


def load_bank(directory: Path = BANK_DIR) -> list[InstrumentDefinition]:
    """Every instrument of the bank, in file-name order."""
    return [load_instrument(path) for path in sorted(directory.glob("*.json"))]
