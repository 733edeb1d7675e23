"""Participants' results by task: one school's set for one procedure, year, subject and grade,
checked against the task specification, stored in bulk, and the school's summary result
(`api.assessment_result`: marks, score distribution, mean, journal comparison) derived from
the stored set in the same transaction, so that reports see one kind of fact.

A participant is kept under a pseudonymous code only (`participant_rows.pseudonym_problem` says
what a code may be). A re-post replaces the school's set: participants whose codes it does not
name are removed. A set is taken whole or not at all: a post with any participant rejected
changes nothing (`shared.bulk.run_import`). Posts of one school's set are written one at a time
(a lock per key), so the stored set and its summary are always one post's. The same post twice
changes nothing. Every create, change and removal is in the audit log, written by the same
statements.
"""

import json
import uuid
from typing import Any

from sqlalchemy import ARRAY, Integer, String, Text, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import FIGURE_WRITERS
from services.api.assessment_tasks import sheet
from services.api.assessment_tasks.models import AssessmentParticipant
from services.api.assessment_tasks.participant_rows import check_participant
from services.api.assessment_tasks.schemas import (
    ParticipantRead,
    ParticipantScores,
    ParticipantsHeader,
)
from services.api.assessment_tasks.service import (
    Specification,
    catalogue_entry,
    latest_specification,
)
from services.api.assessments.catalogue import procedure_codes, spelled_procedure
from services.api.assessments.results import ResultImporter
from services.api.audit import service as audit
from services.api.data_values.models import IdempotencyKeys
from services.api.territories.scope import DbScopeResolver
from shared.bulk import Counts, Rejected, RowError, ScopedImporter, writer_source
from shared.db import lock_until_commit
from shared.errors import Invalid
from shared.identity import Principal, ScopeType, require_roles
from shared.school_years import paper_year
from shared.scope import ensure_in_scope
from shared.spreadsheets import header_key
from shared.tabular import Cell

MAX_ROWS = 2000
_KEY_WHERE = """p.organization_id = :organization_id AND p.procedure_id = :procedure_id
    AND p.year = :year AND p.subject = :subject AND p.grade = :grade"""
_STORED = ("class_label", "variant", "task_scores", "total_score", "mark", "journal_mark")
_FIELDS = "jsonb_build_object('code', p.code, {})".format(
    ", ".join(f"'{c}', p.{c}" for c in ("specification_id", *_STORED))
)
_AUDITED = audit.bulk_events(
    "assessment_participant",
    entity_id="w.id::text",
    changes=audit.field_changes("w.fields", "b.fields"),
    rows="written w LEFT JOIN before b USING (code)",
)
_COMPARED = ("specification_id", *_STORED)
_UPSERT = text(
    f"""
    WITH input AS (
        SELECT * FROM unnest(:codes, :class_labels, :variants, :scores, :totals, :marks,
                             :journal_marks)
            AS t(code, class_label, variant, task_scores, total_score, mark, journal_mark)
    ), before AS (
        SELECT p.code, {_FIELDS} AS fields
        FROM api.assessment_participant p JOIN input i USING (code) WHERE {_KEY_WHERE}
    ), written AS (
        INSERT INTO api.assessment_participant AS p (organization_id, specification_id,
            procedure_id, year, subject, grade, code, {", ".join(_STORED)}, source)
        SELECT :organization_id, :specification_id, :procedure_id, :year, :subject, :grade,
               code, class_label, variant, task_scores::jsonb, total_score, mark,
               journal_mark, :source
        FROM input
        ON CONFLICT ON CONSTRAINT uq_assessment_participant_key DO UPDATE
            SET {", ".join(f"{c} = EXCLUDED.{c}" for c in _COMPARED)},
                source = EXCLUDED.source, updated_at = now()
            WHERE ({", ".join(f"p.{c}" for c in _COMPARED)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in _COMPARED)})
        RETURNING p.id, p.code, {_FIELDS} AS fields, (xmax = 0) AS inserted
    ), audited AS ({_AUDITED}
    )
    {audit.WRITTEN_COUNTS}
    """  # noqa: S608 - only this module's column names are interpolated
).bindparams(
    bindparam("codes", type_=ARRAY(String)),
    bindparam("class_labels", type_=ARRAY(String)),
    bindparam("scores", type_=ARRAY(Text)),
    *(bindparam(n, type_=ARRAY(Integer)) for n in ("variants", "totals", "marks", "journal_marks")),
)
_REMOVE = text(
    f"""
    WITH gone AS (
        DELETE FROM api.assessment_participant p
        WHERE {_KEY_WHERE} AND NOT (p.code = ANY(:codes))
        RETURNING p.id, {_FIELDS} AS fields
    ), audited AS ({
        audit.bulk_events(
            "assessment_participant",
            entity_id="w.id::text",
            changes="w.fields",
            rows="gone w",
            action="delete",
        )
    }
    )
    SELECT count(*) FROM gone
    """  # noqa: S608 - constant SQL of this module
).bindparams(bindparam("codes", type_=ARRAY(String)))
# The school's summary, from its stored participants: "lowered" is a procedure mark below the
# journal mark, "raised" above it (as ФИС ОКО compares them); `task_sums` is {task number: Σ
# that task's scores}, what the reports' task-level analysis reads instead of the participants.
_SUMMARY = text(
    f"""
    WITH p AS (SELECT * FROM api.assessment_participant p WHERE {_KEY_WHERE})
    SELECT count(*) AS participants,
           count(*) FILTER (WHERE mark = 2) AS mark_2, count(*) FILTER (WHERE mark = 3) AS mark_3,
           count(*) FILTER (WHERE mark = 4) AS mark_4, count(*) FILTER (WHERE mark = 5) AS mark_5,
           bool_and(mark IS NOT NULL) AS marked,
           avg(total_score)::float AS mean_score,
           (SELECT jsonb_object_agg(total_score, n ORDER BY total_score)
            FROM (SELECT total_score, count(*) AS n FROM p GROUP BY total_score) d) AS scores,
           count(*) FILTER (WHERE mark < journal_mark) AS lowered,
           count(*) FILTER (WHERE mark = journal_mark) AS confirmed,
           count(*) FILTER (WHERE mark > journal_mark) AS raised,
           bool_or(mark IS NOT NULL AND journal_mark IS NOT NULL) AS compared,
           (SELECT jsonb_object_agg(key, total ORDER BY key)
            FROM (SELECT t.key, sum(t.value::int) AS total
                  FROM p, jsonb_each_text(p.task_scores) t GROUP BY t.key) s) AS task_sums
    FROM p
    """  # noqa: S608 - constant SQL of this module
)


class ParticipantImporter(ScopedImporter):
    """The bulk import (`shared.bulk.Importer`) of one school's participants for one caller's
    request; `prepare` checks the request's header first."""

    writers = FIGURE_WRITERS
    field = "participants"
    noun = "участников"
    max_rows = MAX_ROWS
    idempotency_keys = IdempotencyKeys
    required = sheet.REQUIRED
    whole_set = True  # any participant rejected: nothing replaced

    def __init__(
        self,
        session: AsyncSession,
        scopes: DbScopeResolver,
        principal: Principal,
        header: ParticipantsHeader,
        where: str = "body",
    ) -> None:
        super().__init__(session, scopes, principal)
        self.header, self.where = header, where  # where the header is: body or form
        self.spec: Specification | None = None
        self.key: dict[str, Any] = {}

    async def prepare(self) -> None:
        """The caller may write (else Forbidden, 403), the school is theirs (else NotFound,
        404), and the catalogue has the specification (else Invalid, 422 naming the field).
        A procedure written by its name or abbreviation («ВПР») is its code, noted."""
        h = self.header
        require_roles(self.principal, *self.writers)
        await ensure_in_scope(
            self.principal, self.scopes, ScopeType.organization, h.organization_id
        )
        year, year_note = paper_year(h.year, where=self.where)
        spellings = await procedure_codes(self.session)
        code, note = spelled_procedure(spellings, h.procedure)
        if code not in spellings.values():
            message = (
                f"Процедура «{h.procedure}» не найдена: ожидается код из каталога оценочных "
                "процедур (например vpr) или её название (ВПР)"
            )
            raise Invalid.at("procedure", message, where=self.where)
        if note is not None:
            self.warn(None, "procedure", note)
        if year_note is not None:
            self.warn(None, "year", year_note)
        procedure, subject = await catalogue_entry(
            self.session, code, h.subject, h.grade, where=self.where
        )
        self.spec = await latest_specification(
            self.session, procedure.id, year, subject.subject, h.grade
        )
        if self.spec is None:
            message = (
                f"Нет спецификации заданий {procedure.code}, {year}, «{subject.subject}», "
                f"{h.grade} класс: её добавляет администратор (POST /v1/assessment-tasks)"
            )
            raise Invalid.at("year", message, where=self.where)
        self.key = {
            "organization_id": h.organization_id,
            "procedure_id": procedure.id,
            "year": year,
            "subject": subject.subject,
            "grade": h.grade,
        }

    def columns(self, headers: list[str]) -> list[str | None]:
        """A file's columns: code, class, variant, journal mark, and the specification's
        tasks by number (`sheet.column`); any other column is left out."""
        numbers = {task.number for task in self.spec.tasks} if self.spec else set()
        return [sheet.column(header_key(title), numbers) for title in headers]

    def from_spreadsheet(self, index: int, cells: dict[str, Cell]) -> dict[str, Any]:
        """One row per participant (`sheet.participant`)."""
        return sheet.participant(cells, lambda field, note: self.warn(index, field, note))

    async def validate(self, rows: list[tuple[int, Any]]) -> tuple[list[Any], list[Rejected]]:
        """Each participant against the specification; a repeated code is rejected."""
        assert self.spec is not None
        valid: list[ParticipantScores] = []
        rejected: list[Rejected] = []
        seen: dict[str, int] = {}
        for index, item in rows:
            checked = check_participant(item, self.spec, self.header.grade)
            if isinstance(checked, list):
                rejected.append(Rejected(index=index, errors=checked))
            elif checked.code in seen:
                message = f"участник {checked.code} уже был в строке {seen[checked.code]}"
                rejected.append(Rejected(index=index, errors=[RowError(loc=["code"], msg=message)]))
            else:
                seen[checked.code] = index
                valid.append(checked)
        return valid, rejected

    async def store(self, session: AsyncSession, valid: list[ParticipantScores]) -> Counts:
        """The participants (new, changed), the removal of those the post does not name, and
        the school's summary result derived from what is stored; one audit event each. One
        post of the school's set at a time: a concurrent one waits for this one's commit."""
        assert self.spec is not None
        await lock_until_commit(session, "soko.api.participants", *self.key.values())
        who = {**audit.actor(self.principal), "source": writer_source(self.principal)}
        counts = (
            await session.execute(
                _UPSERT,
                {
                    **self.key,
                    **who,
                    "specification_id": self.spec.row.id,
                    "codes": [r.code for r in valid],
                    "class_labels": [r.class_label for r in valid],
                    "variants": [r.variant for r in valid],
                    "scores": [json.dumps(r.task_scores) for r in valid],
                    "totals": [r.total_score for r in valid],
                    "marks": [r.mark for r in valid],
                    "journal_marks": [r.journal_mark for r in valid],
                },
            )
        ).one()
        removed = await session.scalar(
            _REMOVE, {**self.key, **audit.actor(self.principal), "codes": [r.code for r in valid]}
        )
        if removed:
            message = f"удалено участников, которых нет в этой передаче: {removed}"
            self.warn(None, "participants", message)
        await self._derive_summary(session)
        return Counts(counts.imported, counts.updated)

    async def _derive_summary(self, session: AsyncSession) -> None:
        """The school's `assessment_result` from its stored participants (through the
        assessment results' own upsert, audited there)."""
        s = (await session.execute(_SUMMARY, self.key)).one()
        summary = {
            **self.key,
            "participants": s.participants,
            **{f"mark_{m}": getattr(s, f"mark_{m}") if s.marked else None for m in range(2, 6)},
            "score_distribution": {str(k): v for k, v in (s.scores or {}).items()},
            "mean_score": s.mean_score,
            **{
                k: getattr(s, k) if s.compared else None for k in ("lowered", "confirmed", "raised")
            },
            "specification_id": self.spec.row.id if self.spec else None,
            "task_scores": s.task_sums,
        }
        await ResultImporter(session, self.scopes, self.principal).store(session, [summary])


async def list_participants(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    organization_id: uuid.UUID,
    procedure: str,
    year: str,
    subject: str,
    grade: int,
) -> list[ParticipantRead]:
    """One school's participants by code; NotFound (404) for a school outside the caller's
    scope, Invalid (422) for a procedure or subject the catalogue does not have or a year
    that is none (`paper_year`: «2024-2025» is 2024/2025)."""
    await ensure_in_scope(principal, scopes, ScopeType.organization, organization_id)
    found, entry = await catalogue_entry(session, procedure, subject, grade, where="query")
    p = AssessmentParticipant
    query = (
        select(p)
        .where(p.organization_id == organization_id, p.procedure_id == found.id)
        .where(p.year == paper_year(year, where="query")[0])
        .where(p.subject == entry.subject, p.grade == grade)
        .order_by(p.class_label.nulls_first(), p.code)
    )
    return [
        ParticipantRead.model_validate(row, from_attributes=True)
        for row in await session.scalars(query)
    ]
