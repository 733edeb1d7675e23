"""Responses imported from a form service's export (Yandex Forms, Google Forms): a .csv or
.xlsx with a header row of question texts and a row per respondent, often with a timestamp.

The file is read by the bulk protocol (`shared.bulk_http.import_upload`: the upload limits, a
refusal naming its row and column, a dry run that runs the very store in a rolled-back
savepoint). Columns are matched to questions and answer texts to the question's values by a
`ImportMapping` the caller gives, or else proposed here by normalised text (the answer says
which it used, so that the caller can correct it and send it back). Each row is checked by
`scoring.check_answers` and stored by `service.submit`, the code of a web submission, on the
"import" channel. An anonymous campaign keeps its rules: the export's own columns about the
answer (its time, its number) are never read, and the response gets the day of the import
as a web answer gets the day it is sent.

A row's digest (`row_digest`) is kept in `surveys.imported_row` when it is stored: importing
the same file again (or a longer export of the same form) stores only the rows not seen.
"""

import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign
from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.parsed import Definitions
from services.surveys.instruments.question_types import question_type
from services.surveys.responses import scoring, service
from services.surveys.responses.models import IdempotencyKeys, ImportedRow
from shared.bulk import Counts, ImportSummary, Notice, Rejected, RowError
from shared.errors import Invalid
from shared.identity import Principal, Role
from shared.spreadsheets import header_key
from shared.tabular import Cell

MAX_ROWS = 5000  # respondents of one school in one file: parents of a large school fit
CHANNEL = "import"
# Columns an export adds about the answer itself (when, which number), never read: an
# anonymous response keeps no time finer than a day and nothing that orders it.
ANSWER_COLUMNS = frozenset(
    {
        "отметка времени",
        "timestamp",
        "время создания",
        "время изменения",
        "дата и время",
        "время",
        "дата",
        "id",
        "ид",
        "номер",
        "№",
    }
)
_DROPPED = "_answer_column"
_NUMBERING = re.compile(r"^\d+[.)]\s*")
_TAIL = re.compile(r"[\s*?:.!]+$")


class ImportMapping(BaseModel):
    """Which question each column of the file answers and which value each answer text is.

    Keys are matched as column titles are (case, spaces and ё aside)."""

    columns: dict[str, str | None] = Field(
        default_factory=dict,
        max_length=500,
        description="Column title → question code (null: the column is not imported)",
    )
    answers: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        max_length=500,
        description="Question code → {answer text in the file: the value as the form takes "
        "it (an option's code, a scale's point 1-5, yes/no)}",
    )


class ImportedRowRead(BaseModel):
    row: int = Field(description="The row's line in the file")
    status: Literal["new", "already_imported"] = Field(
        description="new: stored (with dry_run: would be stored); already_imported: the "
        "row was imported before"
    )
    answers: dict[str, Any] = Field(description="What is stored: question code → answer")


class ResponseImport(ImportSummary):
    """The bulk summary (`imported`: rows stored, `unchanged`: rows imported before,
    `rejected`: rows refused naming row and column), the mapping used, and each taken row."""

    mapping: ImportMapping
    rows: list[ImportedRowRead] = Field(default_factory=list)


def text_key(text: str) -> str:
    """A question's text or a column title as they are matched: `header_key`, without a
    leading number ("3. ") and trailing marks ("*", "?", ":")."""
    return _TAIL.sub("", _NUMBERING.sub("", header_key(text)))


def row_digest(
    campaign_id: uuid.UUID,
    organization_id: uuid.UUID,
    cells: list[tuple[str, str]],
    occurrence: int,
) -> str:
    """SHA-256 (hex) of a row's answer cells ((question, text) pairs) and of how many equal
    rows came before it in the file: two parents who answered alike are two rows, and the
    same file imported again gives the same digests whatever its order."""
    content = [str(campaign_id), str(organization_id), sorted(cells), occurrence]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


@dataclass
class ImportRow:
    """A file's row as answers: the values by question code, and what could not be read."""

    answers: dict[str, Any]
    problems: list[RowError]
    digest: str


@dataclass
class _Taken:
    line: int
    answers: dict[str, Any]
    digest: str
    duplicate: bool


class ResponseImporter:
    """The bulk importer of a file's rows as responses of one school in an anonymous campaign
    (`shared.bulk.Importer`), made for one request; Invalid naming `mapping` for a column
    mapped to a question the instrument does not have."""

    writers = (Role.territory_analyst, Role.methodologist, Role.organization_leader)
    field = "rows"
    noun = "ответов"
    max_rows = MAX_ROWS
    idempotency_keys = IdempotencyKeys
    required: dict[str, tuple[str, ...]] = {}  # none: the header is the first row

    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        campaign: Campaign,
        organization_id: uuid.UUID,
        definitions: Definitions,
        definition: InstrumentDefinition,
        *,
        today: date,
        given: ImportMapping,
    ) -> None:
        self.session, self.principal, self.campaign = session, principal, campaign
        self.organization_id, self.definitions, self.definition = (
            organization_id,
            definitions,
            definition,
        )
        self.today = today
        self.used = ImportMapping()
        self.taken: list[_Taken] = []
        self._warnings: list[Notice] = []
        self._seen: Counter[str] = Counter()
        self._header: list[str] | None = None
        self._fields: list[str | None] = []
        self.questions = {q.code: q for q in definition.questions() if _answered(q)}
        self.by_text = {text_key(q.text): q.code for q in self.questions.values()}
        self.columns_given = {text_key(k): v for k, v in given.columns.items()}
        self.answers_given = {
            code: {text_key(text): value for text, value in texts.items()}
            for code, texts in given.answers.items()
        }
        for title, code in given.columns.items():  # the error names the title as written
            if code is not None and code not in self.questions:
                raise Invalid.at(
                    ["mapping", "columns", title], f"в анкете нет вопроса с кодом «{code}»"
                )

    # The bulk protocol.

    def warnings(self) -> list[Notice]:
        return self._warnings

    def columns(self, headers: list[str]) -> list[str | None]:
        """Each column's question: the caller's mapping, else the question of the same text
        (or code); an export's own columns (time, number) are never read (and said so, once:
        the bulk reader asks again for the row it takes as the header)."""
        if self._header == headers:
            return list(self._fields)
        fields: list[str | None] = []
        for position, title in enumerate(headers):
            key = text_key(title)
            if key in self.columns_given:
                code = self.columns_given[key]
            elif key in ANSWER_COLUMNS:
                fields.append(f"{_DROPPED}{position}")
                self.used.columns[title] = None
                message = f"столбец «{title}» (время или номер ответа) не загружается: анкета "
                self._warnings.append(Notice(index=None, loc=[title], msg=message + "анонимная"))
                continue
            else:
                code = self.by_text.get(key) or (key if key in self.questions else None)
            fields.append(code)
            if title:
                self.used.columns[title] = code
        unmapped = [code for code, q in self.questions.items() if q.required and code not in fields]
        if unmapped and headers:
            message = f"обязательные вопросы без столбца: {', '.join(unmapped)}"
            self._warnings.append(Notice(index=None, loc=["mapping", "columns"], msg=message))
        self._header, self._fields = list(headers), list(fields)
        return fields

    def from_spreadsheet(self, index: int, cells: dict[str, Cell]) -> ImportRow:
        answers: dict[str, Any] = {}
        problems: list[RowError] = []
        texts = []
        for code, cell in cells.items():
            if code.startswith(_DROPPED):
                continue
            text = _cell_text(cell)
            texts.append((code, text))
            answer = self._answer(self.questions[code], text)
            if isinstance(answer, RowError):
                problems.append(answer)
            else:
                answers[code] = answer
        key = json.dumps(sorted(texts), ensure_ascii=False)
        self._seen[key] += 1
        digest = row_digest(self.campaign.id, self.organization_id, texts, self._seen[key])
        return ImportRow(answers, problems, digest)

    def cell_fields(self, loc: list[str | int]) -> tuple[str, ...]:
        return (str(loc[0]),) if loc else ()

    async def validate(
        self, rows: list[tuple[int, ImportRow]]
    ) -> tuple[list[_Taken], list[Rejected]]:
        """Rows checked as a web submission is (`scoring.check_answers`: complete, answers to
        questions the answers hide dropped, as the form without JavaScript does); a row whose
        digest is stored already is valid and stores nothing (`unchanged`)."""
        digests = [row.digest for _, row in rows]
        seen = set(
            await self.session.scalars(
                select(ImportedRow.digest).where(
                    ImportedRow.campaign_id == self.campaign.id,
                    ImportedRow.organization_id == self.organization_id,
                    ImportedRow.digest.in_(digests),
                )
            )
        )
        valid: list[_Taken] = []
        rejected: list[Rejected] = []
        for line, row in rows:
            errors = list(row.problems)
            checked = None
            if not errors:
                checked = scoring.check_answers(
                    self.definition, row.answers, complete=True, drop_irrelevant=True
                )
                errors = [RowError(loc=[e["loc"][-1]], msg=e["msg"]) for e in checked.errors]
            if errors or checked is None:
                rejected.append(Rejected(index=line, errors=errors))
                continue
            for code in sorted(row.answers.keys() - checked.answers.keys()):
                message = "ответ не сохраняется: при других ответах строки вопрос не задаётся"
                self._warnings.append(Notice(index=line, loc=[code], msg=message))
            valid.append(_Taken(line, checked.answers, row.digest, row.digest in seen))
        self.taken = valid
        return valid, rejected

    async def store(self, session: AsyncSession, valid: list[_Taken]) -> Counts:
        """Each new row's digest, then the row as a submission (`service.submit`, channel
        "import"); a digest another import stored meanwhile makes its row a duplicate."""
        new = [row for row in valid if not row.duplicate]
        if not new:
            return Counts(0, 0)
        written = set(
            await session.scalars(
                insert(ImportedRow)
                .values(
                    [
                        {
                            "campaign_id": self.campaign.id,
                            "organization_id": self.organization_id,
                            "digest": row.digest,
                        }
                        for row in new
                    ]
                )
                .on_conflict_do_nothing()
                .returning(ImportedRow.digest)
            )
        )
        stored = 0
        for row in new:
            if row.digest not in written:
                row.duplicate = True
                continue
            await service.submit(
                session,
                self.campaign,
                definitions=self.definitions,
                organization_id=self.organization_id,
                answers=row.answers,
                invitation=None,
                draft=False,
                today=self.today,
                drop_irrelevant=True,
                channel=CHANNEL,
            )
            stored += 1
        return Counts(stored, 0)

    # What the answer adds to the summary.

    def rows(self) -> list[ImportedRowRead]:
        return [
            ImportedRowRead(
                row=row.line,
                status="already_imported" if row.duplicate else "new",
                answers=row.answers,
            )
            for row in self.taken
        ]

    def _answer(self, question: Question, text: str) -> Any:
        """The answer a cell's text gives (the form's reading of its value), or why none."""
        kind = question_type(question.type)
        choices = kind.choices(question, self.definition.kind)
        if not choices:
            return kind.from_form([text])
        items = [text]
        if question.type == "multiple":
            items = _items(text, lambda part: self._lookup(question, choices, part) is not None)
        values = []
        for item in items:
            value = self._choice(question, choices, item)
            if value is None:
                labels = "; ".join(f"«{label}»" for _, label in choices)
                return RowError(
                    loc=[question.code],
                    msg=f"ответ «{item}» не сопоставлен с вариантами: {labels}",
                )
            values.append(value)
        return kind.from_form(values)

    def _choice(self, question: Question, choices: list[tuple[str, str]], item: str) -> str | None:
        """The form value of an answer text (`_lookup`), noted in the mapping used."""
        value = self._lookup(question, choices, item)
        if value is not None:
            self.used.answers.setdefault(question.code, {})[item] = value
        return value

    def _lookup(self, question: Question, choices: list[tuple[str, str]], item: str) -> str | None:
        """The caller's mapping, else the choice whose label or value reads the same (a
        scale's point also by its number: "4", "4 — …"); None when none does."""
        key = text_key(item)
        value = self.answers_given.get(question.code, {}).get(key)
        if value is None:
            value = next((v for v, label in choices if key in (text_key(label), text_key(v))), None)
        if value is None and question.type == "likert5":
            number = re.match(r"^([1-5])(?!\d)", key)
            value = number.group(1) if number else None
        return value


def _answered(question: Question) -> bool:
    return question_type(question.type).answered


def _cell_text(cell: Cell) -> str:
    """A cell as its answer text: a boolean of an .xlsx as «Да»/«Нет» (a yes/no question)."""
    if isinstance(cell.raw, bool):
        return "Да" if cell.raw else "Нет"
    return cell.text.strip()


def _items(text: str, known: Callable[[str], bool]) -> list[str]:
    """The options of a checkbox answer as an export joins them (", " or ";"): its parts, a
    part rejoined with the next while it is no known option (an option's own comma)."""
    parts = [p.strip() for p in re.split(r"[;,]", text) if p.strip()]
    items, current = [], ""
    for part in parts:
        current = f"{current}, {part}" if current else part
        if known(current):
            items.append(current)
            current = ""
    return [*items, current] if current else items
