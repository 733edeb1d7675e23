"""Import roadmaps from the Word, Excel, CSV or text tables a municipality already has."""

import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import select

from services.api.access import Access
from services.api.roadmaps.answers import detail
from services.api.roadmaps.document_import.document import import_document
from services.api.roadmaps.document_import.readers import UnreadableDocument, UnsupportedFormat
from services.api.roadmaps.document_import.results import NO_TABLE, ImportedRoadmap
from services.api.roadmaps.models import Roadmap
from services.api.roadmaps.schemas import (
    ActivityCreate,
    ImportAnswer,
    Passport,
    RoadmapCreate,
    RoadmapRead,
    SectionCreate,
)
from services.api.roadmaps.service import (
    authorize_owner,
    create_roadmap,
    deadline_fields,
    period_of,
)
from shared.db import lock_until_commit, rolled_back_when
from shared.errors import Conflict, Invalid
from shared.periods import SPAN_KINDS, period_of_roadmap
from shared.texts import without_invisible
from shared.uploads import Upload, parse_upload


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _to_create(
    imported: ImportedRoadmap, level: str, owner_type: str, owner_id: uuid.UUID, period: str | None
) -> RoadmapCreate:
    if period is None:
        found = period_of_roadmap(f"{imported.title} {imported.period_text or ''}")
        period = found.code if found else None
    return RoadmapCreate(
        title=_cut(without_invisible(imported.title or "").strip() or "Дорожная карта", 2000),
        level=level,
        owner_type=owner_type,
        owner_id=owner_id,
        period=period,
        passport=Passport(**{k: v for k, v in imported.passport.items() if v}),
        sections=[
            SectionCreate(
                title=_cut(section.title, 2000),
                activities=[
                    ActivityCreate(
                        number=_cut(a.number, 40),
                        title=_cut(a.title, 5000),
                        deadline_text=_cut(a.deadline_text, 500),
                        responsible=_cut(a.responsible, 2000),
                        expected_result=_cut(a.expected_result, 5000),
                        evidence_description=_cut(a.evidence, 5000),
                    )
                    for a in section.activities
                    if a.title.strip()
                ],
            )
            for section in imported.sections
        ],
    )


def _deadline_report(plans: list[RoadmapCreate]) -> dict[str, Any]:
    """How the plans' deadlines read: parsed, missing, `deadlines_unparsed`,
    `deadlines_outside_period` (a window wholly before or after the roadmap's period: «Март
    2021» in a 2026/2027 plan — kept as written, named for a person to check) and
    `deadlines_partly_outside_period` (a window that begins before the period or ends after
    it: «III квартал 2022», to 30.09.2022, in a plan of 2021/2022, which ends on 31.08.2022 —
    often meant so, an activity running on, but worth a look), each item `{roadmap, number,
    text}`, those outside with the roadmap's `period`, those partly outside with it and the
    window read (`due_start`, `due_end`: ISO dates, null for an open side)."""
    parsed, unparsed, outside, partly, missing = 0, [], [], [], 0
    for plan in plans:
        period = period_of(plan.period)
        for section in plan.sections:
            for activity in section.activities:
                if not activity.deadline_text.strip():
                    missing += 1
                    continue
                read = deadline_fields(activity.deadline_text, period)
                item = {
                    "roadmap": plan.title[:120],
                    "number": activity.number,
                    "text": activity.deadline_text,
                }
                if read["deadline_kind"] == "unparsed":
                    unparsed.append(item)
                    continue
                parsed += 1
                start, end = read["due_start"], read["due_end"]
                if period is None:
                    continue
                if (end is not None and end < period.start) or (
                    start is not None and start > period.end
                ):
                    outside.append(item | {"period": period.code})
                elif (start is not None and start < period.start) or (
                    end is not None and end > period.end
                ):
                    window = {
                        "due_start": start.isoformat() if start else None,
                        "due_end": end.isoformat() if end else None,
                    }
                    partly.append(item | {"period": period.code} | window)
    return {
        "deadlines_parsed": parsed,
        "deadlines_missing": missing,
        "deadlines_unparsed": unparsed,
        "deadlines_outside_period": outside,
        "deadlines_partly_outside_period": partly,
    }


def _period_warnings(imported: list[ImportedRoadmap], given: str | None) -> list[str]:
    """A period given at the import that is not the one a roadmap's heading names, in Russian
    (the given one is kept: the person chose it)."""
    if given is None:
        return []
    yearless = (
        "сроки без года остались неразобранными: в программе несколько лет"
        if period_of(given).kind in SPAN_KINDS
        else f"сроки без года отнесены к периоду {given}"
    )
    warnings = []
    for roadmap in imported:
        found = period_of_roadmap(f"{roadmap.title} {roadmap.period_text or ''}")
        if found is not None and found.code != given:
            warnings.append(
                f"Период «{given}», указанный при загрузке, не совпадает с заголовком "
                f"«{_cut(roadmap.title, 120)}» ({found.code}): {yearless}"
            )
    return warnings


async def _refuse_duplicates(access: Access, plans: list[RoadmapCreate]) -> None:
    """Conflict (409) when a roadmap with a plan's title, level, owner and period is already
    stored; its `existing` lists them as `{id, title, period}`."""
    existing: list[Roadmap] = []
    for plan in plans:
        period = period_of(plan.period)
        same = select(Roadmap).where(
            Roadmap.title == plan.title,
            Roadmap.level == plan.level,
            Roadmap.owner_type == plan.owner_type,
            Roadmap.owner_id == plan.owner_id,
            Roadmap.period.is_not_distinct_from(period.code if period else None),
        )
        existing.extend(await access.session.scalars(same.order_by(Roadmap.created_at)))
    if not existing:
        return
    first = existing[0]
    more = f" и ещё {len(existing) - 1}" if len(existing) > 1 else ""
    raise Conflict(
        f"Такая дорожная карта уже есть: «{_cut(first.title, 120)}» "
        f"({first.period or 'без периода'}, id {first.id}){more}. Чтобы всё же загрузить "
        "ещё одну копию, повторите загрузку с duplicate=true",
        existing=[{"id": str(r.id), "title": r.title, "period": r.period} for r in existing],
    )


async def import_roadmaps(
    access: Access,
    *,
    upload: Upload,
    level: str,
    owner_type: str,
    owner_id: uuid.UUID,
    period: str | None,
    as_of: date,
    dry_run: bool = False,
    duplicate: bool = False,
) -> ImportAnswer:
    """Every roadmap found in the document (`roadmap` the first in full, `roadmaps` all of
    them, overdue as of `as_of`), and a `report` of what was found and skipped.

    The document is parsed in a worker thread within the upload's limits once the caller may
    write the owner's roadmaps: UploadLimitExceeded (422 naming the limit), Invalid naming
    `file` when it cannot be read or holds no activity table. Conflict (409) when a roadmap
    with the same title, level, owner and period exists, unless `duplicate`. With `dry_run`
    the roadmaps are made in a savepoint rolled back: the answer is what a real import gives,
    and nothing is stored or audited."""
    filename = upload.filename or "document"
    if period is not None:
        period_of(period)  # a malformed period is refused before the document is read
    await authorize_owner(access, level, owner_type, owner_id)
    try:
        result = await parse_upload(
            upload.limits, import_document, filename, upload.content, upload.limits
        )
    except (UnsupportedFormat, UnreadableDocument) as exc:
        raise Invalid.at("file", str(exc)) from exc
    report: dict[str, Any] = asdict(result.report) | {"roadmaps_found": len(result.roadmaps)}
    if not result.roadmaps or not result.report.activities_found:
        raise Invalid(
            "В документе не найдена таблица мероприятий",
            errors=[{"loc": ["body", "file"], "msg": NO_TABLE}],
            report=report,
        )
    plans = [_to_create(r, level, owner_type, owner_id, period) for r in result.roadmaps]
    # Imports for one owner one at a time: a concurrent import of the same document (a double
    # click, a retry after a timeout) finds the first one's roadmaps and is refused.
    await lock_until_commit(access.session, "roadmap-import", owner_type, owner_id)
    if not duplicate:
        await _refuse_duplicates(access, plans)
    report |= _deadline_report(plans)
    report["warnings"] = [*report["warnings"], *_period_warnings(result.roadmaps, period)]
    source = f"import: {filename}"[:300]
    async with rolled_back_when(access.session, dry_run):
        roadmaps = [await create_roadmap(access, plan, source=source) for plan in plans]
        return ImportAnswer(
            roadmap=await detail(access.session, roadmaps[0], as_of),
            roadmaps=[RoadmapRead.model_validate(r) for r in roadmaps],
            report=report,
            dry_run=dry_run,
        )
