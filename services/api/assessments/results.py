"""Assessment results in bulk: validate each row, store the valid ones in one statement, say what
happened; read them back, and aggregate them per organization or territory in SQL.

As with data values: the same payload twice changes nothing (unchanged rows are not rewritten),
concurrent posts of the same rows cannot duplicate them (a unique key, written with ON CONFLICT),
and each new or changed result is recorded in the audit log with its previous values by the same
statement.
"""

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    String,
    Text,
    Uuid,
    bindparam,
    func,
    null,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import FIGURE_WRITERS
from services.api.assessments.catalogue import (
    load_catalogue,
    procedure_codes,
    spelled_procedure,
    subject_spellings,
)
from services.api.assessments.models import AssessmentProcedure, AssessmentResult
from services.api.assessments.rows import (
    JOURNAL,
    KEY,
    MARKS,
    ResultRow,
    check_row,
    columns,
    from_spreadsheet,
    parse_row,
)
from services.api.assessments.schemas import AggregateRead, GroupBy, ResultRead
from services.api.assessments.years import calendar_year_warnings
from services.api.audit import service as audit
from services.api.data_values.models import IdempotencyKeys
from services.api.organizations.matching import resolve_names
from services.api.organizations.models import Organization
from services.api.territories.scope import DbScopeResolver
from shared import reinterpreted
from shared.bulk import (
    Counts,
    Rejected,
    RowError,
    ScopedImporter,
    parse_rows,
    rejection,
    writer_source,
)
from shared.identity import Principal
from shared.pagination import Pagination, paginate
from shared.school_years import read_year
from shared.scope import readable_organizations
from shared.spreadsheets import header_key
from shared.tabular import Cell

MAX_ROWS = 10_000
STORED = (
    "participants",
    *(f"mark_{m}" for m in MARKS),
    "score_distribution",
    "mean_score",
    *JOURNAL,
    "specification_id",
    "task_scores",
)


def _fields(table: str) -> str:
    """A result's key and values as one jsonb object, for the audit's before and after."""
    pairs = ", ".join(f"'{column}', {table}.{column}" for column in (*KEY, *STORED))
    return f"jsonb_build_object({pairs})"


_KEY = ", ".join(KEY)
# The fields whose value a write changed, each as {"before": …, "after": …}.
_CHANGES = """(SELECT coalesce(jsonb_object_agg(
                   n.key, jsonb_build_object('before', o.value, 'after', n.value)), '{}'::jsonb)
        FROM jsonb_each(w.fields) n LEFT JOIN jsonb_each(p.fields) o USING (key)
        WHERE n.value IS DISTINCT FROM coalesce(o.value, 'null'::jsonb))"""
_VALUES = ", ".join(STORED)
_AUDITED = audit.bulk_events(
    "assessment_result",
    entity_id="w.id::text",
    changes=_CHANGES,
    rows=f"written w LEFT JOIN previous p USING ({_KEY})",
)
_UPSERT = text(
    f"""
    WITH input AS (
        SELECT * FROM unnest(:organization_ids, :procedure_ids, :years, :subjects, :grades,
                             :participants, :mark_2, :mark_3, :mark_4, :mark_5, :distributions,
                             :mean_scores, :lowered, :confirmed, :raised,
                             :specification_ids, :task_scores)
            AS t({_KEY}, participants, mark_2, mark_3, mark_4, mark_5, distribution,
                 mean_score, lowered, confirmed, raised, specification_id, task_scores)
    ), previous AS (
        SELECT {_KEY}, {_fields("r")} AS fields
        FROM api.assessment_result r JOIN input i USING ({_KEY})
    ), written AS (
        INSERT INTO api.assessment_result AS r ({_KEY}, {_VALUES}, source)
        SELECT {_KEY}, participants, mark_2, mark_3, mark_4, mark_5, distribution::jsonb,
               mean_score, lowered, confirmed, raised, specification_id, task_scores::jsonb,
               :source
        FROM input
        ORDER BY {_KEY}  -- rows locked in key order: overlapping imports wait, not deadlock
        ON CONFLICT ({_KEY}) DO UPDATE
            SET {", ".join(f"{c} = EXCLUDED.{c}" for c in STORED)},
                source = EXCLUDED.source, updated_at = now()
            WHERE ({", ".join(f"r.{c}" for c in STORED)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in STORED)})
        RETURNING r.id, {", ".join(f"r.{c}" for c in KEY)},
                  {_fields("r")} AS fields, (xmax = 0) AS inserted
    ), audited AS ({_AUDITED}
    )
    SELECT count(*) FILTER (WHERE inserted) AS imported,
           count(*) FILTER (WHERE NOT inserted) AS updated
    FROM written
    """  # noqa: S608 - only this module's column names are interpolated
).bindparams(
    bindparam("organization_ids", type_=ARRAY(Uuid)),
    bindparam("procedure_ids", type_=ARRAY(Uuid)),
    bindparam("years", type_=ARRAY(String)),
    bindparam("subjects", type_=ARRAY(String)),
    bindparam("distributions", type_=ARRAY(Text)),
    bindparam("specification_ids", type_=ARRAY(Uuid)),
    bindparam("task_scores", type_=ARRAY(Text)),
    bindparam("mean_scores", type_=ARRAY(Float)),
    *(
        bindparam(name, type_=ARRAY(Integer))
        for name in ("grades", "participants", "mark_2", "mark_3", "mark_4", "mark_5", *JOURNAL)
    ),
)


class ResultImporter(ScopedImporter):
    """The bulk import of assessment results (`shared.bulk.Importer`) for one caller's request."""

    writers = FIGURE_WRITERS
    field = "results"
    noun = "результатов"
    max_rows = MAX_ROWS
    idempotency_keys = IdempotencyKeys
    required = {  # named by the headers a file is expected to have
        "ОО или ID ОО": ("organization_id", "organization"),
        "процедура": ("procedure",),
        "год": ("year",),
        "предмет": ("subject",),
        "класс": ("grade",),
        "количество участников": ("participants",),
    }

    def columns(self, headers: list[str]) -> list[str | None]:
        """The fields, their Russian synonyms, mark_<n> and score_<n> (`rows.columns`); a
        school's name only when no organization_id column is given; other columns are left
        out."""
        return columns([header_key(title) for title in headers])

    def cell_fields(self, loc: list[str | int]) -> tuple[str, ...]:
        """A mark's or a score's error is about its own column (mark_5, score_12)."""
        if len(loc) == 2 and loc[0] in ("marks", "score_distribution"):
            return (f"{'mark' if loc[0] == 'marks' else 'score'}_{loc[1]}",)
        return super().cell_fields(loc)

    def from_spreadsheet(self, index: int, cells: dict[str, Cell]) -> dict[str, Any]:
        """One row per result; mark_<n> and score_<n> columns are gathered (`from_spreadsheet`)."""
        return from_spreadsheet(cells, lambda field, note: self.warn(index, field, note))

    async def _procedure_codes(self, parsed: list[tuple[int, ResultRow]]) -> None:
        """A procedure written by its name (with or without its abbreviation), or the
        abbreviation ("ВПР"), in any spacing, case and ё/е, is its code ("vpr"), noted."""
        spellings = await procedure_codes(self.session)
        for index, row in parsed:
            row.written_procedure = row.procedure
            row.procedure, note = spelled_procedure(spellings, row.procedure)
            if note is not None:
                self.warn(index, "procedure", note)

    def _school_years(self, parsed: list[tuple[int, ResultRow]]) -> None:
        """A school year written another common way («2024-2025», «2024/25») is its code
        (2024/2025), noted (`read_year`); a year that is none is refused by `check_row`."""
        for index, row in parsed:
            try:
                period, note = read_year(row.year)
            except ValueError:
                continue
            row.year = period.code
            if note is not None:
                self.warn(index, "year", note)

    async def validate(
        self, rows: list[tuple[int, Any]]
    ) -> tuple[list[dict[str, Any]], list[Rejected]]:
        """Each row on its own: a bad row is rejected with its reasons, the others go on."""
        parsed, rejected = parse_rows(rows, parse_row, ResultRow)
        for index, row in parsed:  # a grade read from «4 класс»
            for field, note in row.notes:
                self.warn(index, field, note)
        await self._procedure_codes(parsed)
        self._school_years(parsed)
        readable = await readable_organizations(self.principal, self.scopes)
        named = {i: r.organization_id for i, r in parsed if isinstance(r.organization_id, str)}
        ids, reasons, notes = await resolve_names(self.session, named, readable)
        for index, note in notes.items():
            self.warn(index, "organization", note)
        for index, reason in reasons.items():
            rejected.append(rejection(index, "organization", reason))
        parsed = [(index, row) for index, row in parsed if index not in reasons]
        for index, row in parsed:
            row.organization_id = ids.get(index, row.organization_id)
        catalogue = await load_catalogue(self.session, {r.procedure for _, r in parsed})
        mentioned = {r.organization_id for _, r in parsed}
        organizations = set(
            await self.session.scalars(
                select(Organization.id).where(Organization.id.in_(mentioned))
            )
        )
        if readable is not None:
            organizations &= readable
        seen: dict[tuple[Any, ...], int] = {}
        valid = []
        for index, row in parsed:
            checked = check_row(row, catalogue, organizations)
            if isinstance(checked, list):
                rejected.append(Rejected(index=index, errors=checked))
                self._note_subject(index, row, catalogue)  # a refused row's notes are said too
                continue
            key = tuple(checked[k] for k in KEY)
            if key in seen:
                duplicate = RowError(loc=["organization_id"], msg=f"повтор строки {seen[key]}")
                rejected.append(Rejected(index=index, errors=[duplicate]))
                continue
            seen[key] = index
            valid.append(checked)
            self._note_subject(index, row, catalogue)
        procedures = catalogue.procedures.values()
        for message in await calendar_year_warnings(self.session, valid, procedures, readable):
            self.warn(None, "year", message)
        return valid, rejected

    def _note_subject(self, index: int, row: Any, catalogue: Any) -> None:
        """A subject matched otherwise than written («математика» → Математика), noted."""
        procedure = catalogue.procedures.get(row.procedure)
        if procedure is None or not isinstance(row.subject, str):
            return
        subject = catalogue.subject(procedure, row.subject, row.grade)
        if subject is not None and subject.subject != row.subject:
            note = reinterpreted.name_matched("предмет", row.subject, subject.subject)
            self.warn(index, "subject", note)

    async def store(self, session: AsyncSession, valid: list[dict[str, Any]]) -> Counts:
        """One statement: new and changed results, and their audit events. A row derived from
        participants carries `specification_id` and `task_scores`; a posted summary clears them."""

        def column(name: str) -> list[Any]:
            return [r[name] for r in valid]

        distributions = [
            json.dumps(d) if d is not None else None for d in column("score_distribution")
        ]
        result = await session.execute(
            _UPSERT,
            {
                **{f"{name}s": column(name) for name in KEY},
                "distributions": distributions,
                "specification_ids": [r.get("specification_id") for r in valid],
                "task_scores": [
                    json.dumps(r["task_scores"]) if r.get("task_scores") is not None else None
                    for r in valid
                ],
                "mean_scores": column("mean_score"),
                **{name: column(name) for name in STORED if name.startswith("mark_")},
                **{name: column(name) for name in ("participants", *JOURNAL)},
                "source": writer_source(self.principal),
                **audit.actor(self.principal),
            },
        )
        counts = result.one()
        return Counts(counts.imported, counts.updated)


@dataclass
class ResultFilter:
    organization_id: uuid.UUID | None = None
    territory_id: uuid.UUID | None = None
    procedure: str | None = None
    year: str | None = None
    subject: str | None = None
    grade: int | None = None


async def _where(
    session: AsyncSession, scopes: DbScopeResolver, principal: Principal, filters: ResultFilter
) -> list[Any]:
    r = AssessmentResult
    conditions: list[Any] = []
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        conditions.append(r.organization_id.in_(readable))
    if filters.organization_id is not None:
        conditions.append(r.organization_id == filters.organization_id)
    if filters.territory_id is not None:
        subtree = await scopes.subtree(filters.territory_id)
        conditions.append(Organization.territory_id.in_(subtree))
    if filters.procedure is not None:
        conditions.append(AssessmentProcedure.code == filters.procedure)
    if filters.year is not None:
        conditions.append(r.year == filters.year)
    if filters.subject is not None:
        conditions.append(r.subject.in_(await subject_spellings(session, filters.subject)))
    if filters.grade is not None:
        conditions.append(r.grade == filters.grade)
    return conditions


def _marks(*counts: int | None) -> dict[str, int] | None:
    if all(c is None for c in counts):
        return None
    return {m: int(c or 0) for m, c in zip(MARKS, counts, strict=True)}


async def list_results(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: ResultFilter,
) -> tuple[list[ResultRead], int]:
    """Results of the caller's organizations."""
    r = AssessmentResult
    query = (
        select(r, AssessmentProcedure.code)
        .join(AssessmentProcedure, AssessmentProcedure.id == r.procedure_id)
        .join(Organization, Organization.id == r.organization_id)
        .where(*await _where(session, scopes, principal, filters))
        .order_by(r.organization_id, AssessmentProcedure.code, r.year, r.subject, r.grade)
    )
    rows, total = await paginate(session, query, page, whole_rows=True)
    items = [
        ResultRead(
            **result.model_dump(include=set(ResultRead.model_fields)),
            procedure=code,
            marks=_marks(result.mark_2, result.mark_3, result.mark_4, result.mark_5),
        )
        for result, code in rows
    ]
    return items, total


async def aggregate(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: ResultFilter,
    group_by: GroupBy,
) -> tuple[list[AggregateRead], int]:
    """Per organization or territory, subject and grade: sums, and the mean score pooled over
    participants (Σ mean×participants / Σ participants, which is Σ score×count / Σ count)."""
    r, o, p = AssessmentResult, Organization, AssessmentProcedure
    groups = [o.territory_id] if group_by == "territory" else [r.organization_id, o.territory_id]
    scored = r.mean_score.is_not(None)
    query = (
        select(
            (r.organization_id if group_by == "organization" else null()).label("organization_id"),
            o.territory_id,
            p.code.label("procedure"),
            r.year,
            r.subject,
            r.grade,
            func.count(r.organization_id.distinct()).label("organizations"),
            func.sum(r.participants).label("participants"),
            *(func.sum(getattr(r, f"mark_{m}")).label(f"mark_{m}") for m in MARKS),
            (
                func.sum(r.mean_score * r.participants).filter(scored)
                / func.nullif(func.sum(r.participants).filter(scored), 0)
            ).label("mean_score"),
            *(func.sum(getattr(r, key)).label(key) for key in JOURNAL),
        )
        .join(o, o.id == r.organization_id)
        .join(p, p.id == r.procedure_id)
        .where(*await _where(session, scopes, principal, filters))
        .group_by(*groups, p.code, r.year, r.subject, r.grade)
        .order_by(r.subject, r.grade, *groups)
    )
    rows, total = await paginate(session, query, page, whole_rows=True)
    items = []
    for row in rows:
        group = dict(row._mapping)
        marks = _marks(*(group.pop(f"mark_{m}") for m in MARKS))
        marked = sum(marks.values()) if marks else 0
        mean_mark = sum(int(m) * n for m, n in marks.items()) / marked if marks and marked else None
        mean_score = group.pop("mean_score")
        items.append(
            AggregateRead(
                **group,
                marks=marks,
                mean_score=round(mean_score, 2) if mean_score is not None else None,
                mean_mark=round(mean_mark, 2) if mean_mark is not None else None,
            )
        )
    return items, total
