"""The instrument bank: instruments with immutable versions; import and export."""

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.instruments.definition import (
    ADDED,
    DEFINITION_PATTERNS,
    InstrumentDefinition,
    load_bank,
)
from services.surveys.instruments.models import Instrument, InstrumentVersion
from services.surveys.instruments.schemas import InstrumentCodes
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform
from shared.db import add_new
from shared.errors import Conflict, Invalid, NotFound, field_error
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.instrument_codes import codes_in
from shared.pagination import Pagination, paginate
from shared.scope import ScopeResolver, contains
from shared.uploads import FIELD, Upload, parse_upload
from shared.validation_messages import russian_message

logger = logging.getLogger("soko.surveys.bank")
AUTHORS = (Role.territory_analyst, Role.methodologist)


async def sync_bank(session: AsyncSession) -> int:
    """Add the bank's instruments that the database lacks (as version 1); returns how many.

    An instrument already stored is left alone: a changed bank file becomes a new version only
    when someone imports it, so that nobody's running campaign changes under them.
    """
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('soko.surveys.bank'))"))
    known = set(await session.scalars(select(Instrument.code)))
    added = 0
    for definition in load_bank():
        if definition.code not in known:
            await _store(session, definition, source="bank")
            added += 1
    return added


async def _store(
    session: AsyncSession,
    definition: InstrumentDefinition,
    *,
    source: str,
    owner: uuid.UUID | None = None,
) -> tuple[InstrumentVersion, bool]:
    """The new version and True; or, when the definition equals the latest version's, that
    version and False (an unchanged re-import makes no version). A new instrument is owned by
    the territory `owner` (None: shared)."""
    dumped = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    instrument = await session.scalar(select(Instrument).where(Instrument.code == definition.code))
    if instrument is None:
        instrument = Instrument(
            code=definition.code,
            kind=definition.kind,
            title=definition.title,
            audience=list(definition.audience),
            latest_version=0,
            owner_territory_id=owner,
        )
        session.add(instrument)
        await session.flush()
    elif instrument.kind != definition.kind:
        raise Invalid.at(
            "kind",
            "вид инструмента не совпадает с его прежними версиями",
            detail=f"Инструмент {definition.code} — вида {instrument.kind}, "
            f"новая версия не может быть вида {definition.kind}",
        )
    else:
        latest = await session.scalar(
            select(InstrumentVersion).where(
                InstrumentVersion.instrument_id == instrument.id,
                InstrumentVersion.version == instrument.latest_version,
            )
        )
        if latest is not None and latest.definition == dumped:
            return latest, False
    instrument.latest_version += 1
    instrument.title = definition.title
    instrument.audience = list(definition.audience)
    version = InstrumentVersion(
        instrument_id=instrument.id,
        version=instrument.latest_version,
        definition=dumped,
        source=source,
    )
    return await add_new(session, version), True


def parse_definition(data: Any) -> InstrumentDefinition:
    """Validate a definition; 422 naming the place of each problem."""
    try:
        return InstrumentDefinition.model_validate(data, context=ADDED)
    except ValidationError as exc:
        errors = [
            field_error(e["loc"], russian_message(e, DEFINITION_PATTERNS), kind=e["type"])
            for e in exc.errors()
        ]
        raise Invalid("Инструмент задан неверно", errors=errors) from exc


async def add_version(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    definition: InstrumentDefinition,
    source: str,
    *,
    field: str = "code",
) -> tuple[InstrumentVersion, bool]:
    """A new version of an instrument (a new instrument if the code is new, owned by the
    caller's territory) and True; the latest version and False when its definition is the
    same (nothing is added).

    Who versions an instrument (`may_version`): an administrator any; a territory's analyst or
    methodologist one their territory or a territory under it owns. The bank's instruments and
    the other shared ones (no owner) are administrators' only. Anyone else's version is a
    Conflict (409) naming `field`, the code's field of the request (`code`; `form_id` for a
    workbook, whose `errors` item names `file`), unless it defines the latest version
    unchanged (an export imported back: nothing is added)."""
    require_roles(principal, *AUTHORS)
    existing = await session.scalar(select(Instrument).where(Instrument.code == definition.code))
    if existing is not None and (refusal := await _refusal(session, principal, scopes, existing)):
        if (same := await _same_as_latest(session, definition)) is not None:
            return same, False  # an export imported back: nothing changes
        message = f"инструмент {definition.code} {refusal}; выберите другой {field}"
        error = field_error(field, message)
        if field == "form_id":  # a workbook: the file, its settings sheet's form_id
            error = field_error(FIELD, message) | {
                "sheet": "settings",
                "row": None,
                "column": "form_id",
            }
        raise Conflict(message[0].upper() + message[1:], errors=[error])
    owner = principal.scope_id if principal.scope_type == ScopeType.territory else None
    return await _store(
        session, definition, source=source, owner=None if principal.unrestricted else owner
    )


async def _refusal(
    session: AsyncSession, principal: Principal, scopes: ScopeResolver, instrument: Instrument
) -> str | None:
    """Why the caller may not version the instrument (the end of a Russian sentence after
    its code), or None when they may: an administrator any, a territory's author one their
    territory or one under it owns; the bank's and other shared ones administrators only."""
    if principal.unrestricted:
        return None
    if await is_bank(session, instrument.code):
        return "— из банка (общий для всех территорий, его меняет только администратор)"
    if instrument.owner_territory_id is None:
        return "— общий для всех территорий, его меняет только администратор"
    try:
        owner = await scopes.resolve(ScopeType.territory, instrument.owner_territory_id)
    except NotFound:
        owner = None
    if owner is None or not contains(principal, owner):
        return "принадлежит другой территории, его меняют её аналитики и методисты"
    return None


async def _same_as_latest(
    session: AsyncSession, definition: InstrumentDefinition
) -> InstrumentVersion | None:
    """The latest version of the instrument `definition.code` if it defines it unchanged."""
    dumped = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    latest = await session.scalar(
        select(InstrumentVersion)
        .join(Instrument, Instrument.id == InstrumentVersion.instrument_id)
        .where(
            Instrument.code == definition.code,
            InstrumentVersion.version == Instrument.latest_version,
        )
    )
    return latest if latest is not None and latest.definition == dumped else None


async def is_bank(session: AsyncSession, code: str) -> bool:
    """Whether the instrument `code` is the bank's: one of its versions was stored from the
    bank's files (`sync_bank`)."""
    query = (
        select(InstrumentVersion.id)
        .join(Instrument, Instrument.id == InstrumentVersion.instrument_id)
        .where(Instrument.code == code, InstrumentVersion.source == "bank")
    )
    return bool(await session.scalar(select(query.exists())))


async def import_xlsform(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    upload: Upload,
    *,
    kind: str | None = None,
    audience: list[str] | None = None,
) -> tuple[InstrumentVersion, bool]:
    """A new version from an XLSForm workbook (as `add_version`: with False and the latest
    version when the workbook defines it unchanged), read in a worker thread within its limits
    once the caller may author: UploadLimitExceeded (422 naming the limit), or Invalid with one
    item of `errors` per problem (the first MAX_PROBLEMS), each naming `file` and giving the
    `sheet`, `row` and `column` (null when not known) beside its message. The file's name
    stands in for a form_id and form_title the workbook lacks."""
    require_roles(principal, *AUTHORS)
    try:
        definition = await parse_upload(
            upload.limits,
            from_xlsform,
            upload.content,
            upload.limits,
            kind=kind,
            audience=audience,
            filename=upload.filename,
        )
    except XLSFormError as exc:
        raise _invalid_workbook(exc) from exc
    return await add_version(
        session, principal, scopes, definition, source="xlsform", field="form_id"
    )


def _invalid_workbook(exc: XLSFormError) -> Invalid:
    """422 naming every problem of the workbook: `file`, its place and its message."""
    errors = [
        field_error(FIELD, str(p)) | {"sheet": p.sheet, "row": p.row, "column": p.column}
        for p in exc.problems
    ]
    if exc.count == 1:
        return Invalid(str(exc.problems[0]), errors=errors)
    shown = f" (показаны первые {len(errors)})" if exc.count > len(errors) else ""
    return Invalid(f"В файле XLSForm ошибок: {exc.count}{shown}", errors=errors)


async def list_instruments(
    session: AsyncSession, page: Pagination, *, kind: str | None = None
) -> tuple[list[Instrument], int]:
    query = select(Instrument).order_by(Instrument.code)
    if kind is not None:
        query = query.where(Instrument.kind == kind)
    return await paginate(session, query, page)


async def versions_of(
    session: AsyncSession, instrument_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[InstrumentVersion]]:
    """The stored versions of these instruments, newest first: one query for a page."""
    query = (
        select(InstrumentVersion)
        .where(InstrumentVersion.instrument_id.in_(instrument_ids))
        .order_by(InstrumentVersion.instrument_id, InstrumentVersion.version.desc())
    )
    found: dict[uuid.UUID, list[InstrumentVersion]] = {i: [] for i in instrument_ids}
    for version in await session.scalars(query):
        found[version.instrument_id].append(version)
    return found


async def get_version(
    session: AsyncSession, instrument_id: uuid.UUID, version: int | None = None
) -> tuple[Instrument, InstrumentVersion]:
    """An instrument and one of its versions (the latest by default)."""
    instrument = await session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFound("Инструмент не найден")
    number = version or instrument.latest_version
    found = await session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == instrument_id, InstrumentVersion.version == number
        )
    )
    if found is None:
        raise NotFound(f"Версии {number} у инструмента нет")
    return instrument, found


async def versions(
    session: AsyncSession, instrument_id: uuid.UUID, page: Pagination
) -> tuple[list[InstrumentVersion], int]:
    """One page of the instrument's versions, oldest first, and how many it has (0: no such
    instrument, as every instrument has its first version)."""
    query = (
        select(InstrumentVersion)
        .where(InstrumentVersion.instrument_id == instrument_id)
        .order_by(InstrumentVersion.version)
    )
    return await paginate(session, query, page)


async def codes_of(
    session: AsyncSession, codes: list[str], page: Pagination
) -> tuple[list[InstrumentCodes], int]:
    """One page (by code) of the instruments of these codes that exist (unknown codes are left
    out), each with the question and competence codes of all its versions, and how many
    there are: the instruments are paged in SQL, then the page's versions read (one query)
    and their codes gathered."""
    wanted = select(Instrument).where(Instrument.code.in_(sorted(set(codes))))
    instruments, total = await paginate(session, wanted.order_by(Instrument.code), page)
    found = {i.id: (i.code, i.kind, set[str](), set[str]()) for i in instruments}
    if found:
        rows = await session.execute(
            select(InstrumentVersion.instrument_id, InstrumentVersion.definition).where(
                InstrumentVersion.instrument_id.in_(list(found))
            )
        )
        for instrument_id, definition in rows:
            named = codes_in(definition)
            found[instrument_id][2].update(named.questions)
            found[instrument_id][3].update(named.competences)
    items = [
        InstrumentCodes(code=code, kind=kind, question_codes=sorted(qs), competences=sorted(cs))
        for code, kind, qs, cs in found.values()
    ]
    return items, total
