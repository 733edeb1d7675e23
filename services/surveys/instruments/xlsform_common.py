"""What the XLSForm reader and writer share: the sheet layout, built-in lists and the error type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"
COMPETENCES = "competences"

# Standard XLSForm columns first, then ours (ODK and KoboToolbox ignore unknown columns).
SURVEY_COLUMNS: tuple[str, ...] = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "competence",
    "points",
    "positive",
    "allow_unsure",
    "constraint_message",
    "required_message",
    "choice_filter",
    "calculation",
    "appearance",
)
# Columns that take a text per language (`label::Russian (ru)`), and the definition's field.
TRANSLATED_SURVEY_COLUMNS: dict[str, str] = {
    "label": "text",
    "hint": "hint",
    "constraint_message": "constraint_message",
    "required_message": "required_message",
}
DEFAULT_LANGUAGE = "default"  # pyxform's name for the texts of unsuffixed columns
CHOICES_COLUMNS: tuple[str, ...] = ("list_name", "name", "label", "correct", "points")
SETTINGS_COLUMNS: tuple[str, ...] = (
    "form_title",
    "form_id",
    "version",
    "default_language",
    "kind",
    "audience",
    "description",
    "source",
)
COMPETENCES_COLUMNS: tuple[str, ...] = ("name", "label", "threshold", "description")

# A yes/no flag cell (`required`, `correct`) as the writer fills it.
YES = "yes"
NO = "no"
# In the `positive` column: "none of the answers counts as positive" (an empty list), as opposed
# to an empty cell, which means "the default positive answers of the question type".
NO_POSITIVE = "-"

# Where a field of the definition lives in the workbook, for locating validation errors.
SURVEY_FIELD_COLUMNS: dict[str, str] = {
    "code": "name",
    "type": "type",
    "text": "label",
    "title": "label",
    "hint": "hint",
    "required": "required",
    "relevant": "relevant",
    "min": "constraint",
    "max": "constraint",
    "competence": "competence",
    "points": "points",
    "positive": "positive",
    "allow_unsure": "allow_unsure",
    "options": "type",
    "constraint": "constraint",
    "relevant_expression": "relevant",
    "required_expression": "required",
    "choice_filter": "choice_filter",
    "calculation": "calculation",
    "constraint_message": "constraint_message",
    "required_message": "required_message",
    "appearance": "appearance",
    "translations": "label",
}
CHOICE_FIELD_COLUMNS: dict[str, str] = {
    "code": "name",
    "text": "label",
    "correct": "correct",
    "points": "points",
}
COMPETENCE_FIELD_COLUMNS: dict[str, str] = {
    "code": "name",
    "title": "label",
    "threshold": "threshold",
    "description": "description",
}
SETTINGS_FIELD_COLUMNS: dict[str, str] = {
    "code": "form_id",
    "title": "form_title",
    "kind": "kind",
    "audience": "audience",
    "description": "description",
    "source": "source",
    "language": "default_language",
}


class XLSFormError(ValueError):
    """A workbook that cannot be read as an instrument; says which sheet, row and column.

    `message` is Russian (what the uploader reads); its text is the place, then the message:
    `лист survey, строка 5, столбец type: тип «geopoint» не поддерживается ...`."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column
        place = [
            part
            for part, present in (
                (f"лист {sheet}", sheet),
                (f"строка {row}", row),
                (f"столбец {column}", column),
            )
            if present
        ]
        super().__init__(f"{', '.join(place)}: {message}" if place else message)
        # Every problem of the workbook found so far (this one alone unless `several`).
        self.problems: list[XLSFormError] = [self]
        self.count = 1  # how many there are, beyond the `problems` kept

    @classmethod
    def several(cls, problems: list[XLSFormError], count: int) -> XLSFormError:
        """One error for `count` problems: placed at the first, its text naming each kept."""
        first = problems[0]
        if len(problems) == 1 and count == 1:
            return first
        error = cls(first.message, sheet=first.sheet, row=first.row, column=first.column)
        error.args = ("; ".join(str(p) for p in problems),)
        error.problems, error.count = list(problems), count
        return error


# At most this many problems of one workbook are named; the count says how many there are.
MAX_PROBLEMS = 50


class Problems:
    """Collects a workbook's problems, so that one answer names each (the first
    MAX_PROBLEMS of them) instead of the first alone."""

    def __init__(self) -> None:
        self.found: list[XLSFormError] = []
        self.count = 0

    def add(self, error: XLSFormError) -> None:
        for problem in error.problems:
            self.count += 1
            if len(self.found) < MAX_PROBLEMS:
                self.found.append(problem)
        self.count += error.count - len(error.problems)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Runs the block; an XLSFormError it raises is collected, not raised."""
        try:
            yield
        except XLSFormError as error:
            self.add(error)

    def check(self) -> None:
        """Raises XLSFormError with every problem collected; nothing when there is none."""
        if self.found:
            raise XLSFormError.several(self.found, self.count)


def format_number(value: float) -> str:
    """A number as an XLSForm expression writes it: 5, not 5.0."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
