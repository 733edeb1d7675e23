"""The launch of a survey campaign from the api's pages (`/campaigns/new`, campaign_launch.py):
what its form offers, what was typed in it, the `POST /v1/campaigns` body it makes, and the
surveys service's refusal said beside the fields it names.

The form's fields: `instrument` (`<instrument id>:<version>`, the bank's instruments with
their stored versions, the latest first), `audience`, `title` (optional), `period` (the
current school year by default), `opens_on` and `closes_on` (days in the pages' time zone:
the campaign opens at the start of the first and takes answers to the end of the second, so
`closes_at` is the next day's midnight — what the homes show as «до» that day), `anonymous`
(checked by default), one checkbox `org-<id>` per organization the visitor reads (a field
each: a page's form sends every field once), and `launch_key`, the form's own
`Idempotency-Key` (the same form sent twice launches once).
"""

import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from fastapi import Request
from sqlalchemy import or_, select

from services.api.access import Access
from services.api.clients.models import Campaign, Instrument
from services.api.clients.surveys import SurveysClient
from services.api.organizations.models import Organization
from services.api.pages.peer_reads import surveys
from services.api.pages.render import AUDIENCE_NAMES
from services.api.territories.models import Territory
from shared.campaign_periods import opening_warnings
from shared.errors import Forbidden, NotFound, PeerRefused, PeerUnavailable
from shared.identity import Principal, Role
from shared.periods import academic_year_of, parse_period, read_period
from shared.scope import readable_organizations
from shared.templating import natural_key

# Who launches from the page (the API also lets methodologists and school leaders launch).
LAUNCHERS = frozenset({Role.admin, Role.territory_analyst})
AUDIENCES = ("parents", "teachers", "leaders", "students")
SCHOOL_FIELD = "org-"
# The most organizations a launch takes (CampaignCreate.organization_ids), and the form's
# other fields: how many fields a posted form may have.
MAX_SCHOOLS = 5000
MAX_FIELDS = MAX_SCHOOLS + 20
TITLE_MAX = 500
KEY = re.compile(r"[0-9a-f]{32}")
# The form's key used before for another launch (Back after a launch, changed, sent again).
SENT_BEFORE = (
    "Эта форма уже была отправлена с другими данными, и анкетирование по ней запущено "
    "(см. главную). Чтобы запустить ещё одно, проверьте поля и отправьте форму снова."
)
# The instruments' kinds, in the order the select groups them.
KIND_NAMES = {
    "satisfaction": "Анкеты",
    "self_assessment": "Самооценка",
    "deficit": "Диагностики профессиональных дефицитов (по персональным ссылкам)",
}
# The form's field each field of the API's body is (errors' `loc`).
FIELD_OF = {
    "instrument_id": "instrument",
    "version": "instrument",
    "audience": "audience",
    "title": "title",
    "period": "period",
    "opens_at": "opens_on",
    "closes_at": "closes_on",
    "anonymous": "anonymous",
    "organization_ids": "schools",
}
# A field's code followed by its Russian name in brackets, as some of the API's messages say
# it («closes_at (закрытие) должно быть позже opens_at (открытия)»): the name alone is said.
_CODED = re.compile(r"\b(" + "|".join(FIELD_OF) + r") \(([^()]+)\)")
_FIELD_CODE = re.compile(r"\b(" + "|".join(FIELD_OF) + r")\b")
_AUDIENCE_CODE = re.compile(r"\b(" + "|".join(AUDIENCES) + r")\b")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def may_launch(principal: Principal) -> bool:
    """Does the page offer this person the launch (an analyst of a territory, an admin)?"""
    return principal.role in LAUNCHERS


def new_key() -> str:
    """A form's own `Idempotency-Key` (32 hex digits)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Choice:
    """One option of the questionnaire select: `value` `<instrument id>:<version>`."""

    value: str
    label: str


@dataclass
class ChoiceGroup:
    """The options of one kind of instrument (`KIND_NAMES`)."""

    label: str
    choices: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class School:
    id: uuid.UUID
    name: str


@dataclass
class SchoolGroup:
    """The organizations of one territory, in natural order of their names."""

    id: uuid.UUID
    name: str
    schools: list[School] = field(default_factory=list)


@dataclass
class Typed:
    """What the form holds: as first shown (`fresh`) or as posted (`posted`), kept as typed."""

    instrument: str = ""
    audience: str = ""
    title: str = ""
    period: str = ""
    opens_on: str = ""
    closes_on: str = ""
    anonymous: bool = True
    schools: set[uuid.UUID] = field(default_factory=set)
    key: str = field(default_factory=new_key)

    @classmethod
    def fresh(cls, today: date) -> "Typed":
        """The form's defaults: the current school year, opening today, anonymous."""
        return cls(period=academic_year_of(today).code, opens_on=today.isoformat())

    @classmethod
    def posted(cls, fields: dict[str, str], offered: set[uuid.UUID]) -> "Typed":
        """The posted fields; of the schools' checkboxes, those of organizations offered (any
        other `org-` field is no checkbox of the page: dropped)."""
        schools = set()
        for name, value in fields.items():
            if name.startswith(SCHOOL_FIELD) and value:
                try:
                    school = uuid.UUID(name.removeprefix(SCHOOL_FIELD))
                except ValueError:
                    continue
                if school in offered:
                    schools.add(school)
        key = fields.get("launch_key", "")
        return cls(
            instrument=fields.get("instrument", "").strip(),
            audience=fields.get("audience", "").strip(),
            title=fields.get("title", "")[: TITLE_MAX + 100],
            period=fields.get("period", "").strip()[:100],
            opens_on=fields.get("opens_on", "").strip()[:40],
            closes_on=fields.get("closes_on", "").strip()[:40],
            anonymous=bool(fields.get("anonymous")),
            schools=schools,
            key=key if KEY.fullmatch(key) else new_key(),
        )


def _day(text: str) -> date | None:
    """A day as a date input sends it (2026-12-04) or as people write it (04.12.2026)."""
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{1,2})\.(\d{1,2})\.(\d{4})"):
        if found := re.fullmatch(pattern, text):
            numbers = [int(n) for n in found.groups()]
            year, month, day = numbers if len(found[1]) == 4 else numbers[::-1]
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def body(typed: Typed) -> tuple[dict[str, object], dict[str, list[str]]]:
    """The `POST /v1/campaigns` body of what was typed, and the page's own problems by field
    (a field left empty or not understood: left out of the body, where the API refuses it
    too; the page's words said instead of the API's)."""
    sent: dict[str, object] = {"anonymous": typed.anonymous, "organization_ids": []}
    own: dict[str, list[str]] = {}
    instrument_id, _, version = typed.instrument.partition(":")
    try:
        sent["instrument_id"] = str(uuid.UUID(instrument_id))
        sent["version"] = int(version)
    except ValueError:
        own["instrument"] = ["Выберите анкету."]
    if typed.audience in AUDIENCES:
        sent["audience"] = typed.audience
    else:
        own["audience"] = ["Выберите, кто отвечает на анкету."]
    if typed.title.strip():
        sent["title"] = typed.title.strip()
    if typed.period:
        # A school year as people write it («2024-2025», «2024/25», «2024–2025 учебный год»)
        # is its code (shared.periods.read_period, as an upload's cell); what it cannot read
        # is sent as typed for the service to refuse, said in read_period's words («учебный
        # год — два соседних года по порядку» of «2025-2024», which the service only calls
        # unreadable).
        try:
            sent["period"] = read_period(typed.period)[0].code
        except ValueError as refused:
            sent["period"], own["period"] = typed.period, [str(refused)]
    else:
        own["period"] = ["Укажите период, например учебный год 2026/2027."]
    opens, closes = _day(typed.opens_on), _day(typed.closes_on)
    if opens is None:
        own["opens_on"] = ["Укажите дату начала: день, месяц и год."]
    else:
        sent["opens_at"] = f"{opens.isoformat()}T00:00:00"
    if closes is None:
        own["closes_on"] = ["Укажите последний день приёма ответов: день, месяц и год."]
    elif closes < date.max:
        sent["closes_at"] = f"{(closes + timedelta(days=1)).isoformat()}T00:00:00"
    sent["organization_ids"] = sorted(str(s) for s in typed.schools)
    if not typed.schools:
        own["schools"] = ["Отметьте хотя бы одну организацию."]
    return sent, own


def problems_of(
    errors: list[dict[str, object]] | None, detail: str, names: dict[uuid.UUID, str]
) -> dict[str, list[str]]:
    """The problem's messages by the form's field they name (`FIELD_OF`; a message about
    the whole body goes to the first field it mentions, else to `form`), each said as a person
    reads it: a field's code before its Russian name dropped, an audience in Russian, an
    organization by its name (`names`)."""
    found: dict[str, list[str]] = {}
    for error in errors or [{"loc": [], "msg": detail}]:
        loc = [str(p) for p in error.get("loc") or []]  # type: ignore[union-attr]
        message = str(error.get("msg") or detail)
        name = loc[1] if len(loc) > 1 and loc[0] == "body" else None
        if name is None and (mentioned := _FIELD_CODE.search(message)):
            name = mentioned[1]
        place = FIELD_OF.get(name or "", "form")
        said = _said(message, names)
        if said not in found.setdefault(place, []):
            found[place].append(said)
    return found


def _said(message: str, names: dict[uuid.UUID, str]) -> str:
    said = _CODED.sub(r"\2", message)
    said = _AUDIENCE_CODE.sub(lambda m: AUDIENCE_NAMES[m[1]], said)
    said = _UUID.sub(lambda m: f"«{names.get(uuid.UUID(m[0]), m[0])}»", said)
    said = said[:1].upper() + said[1:]
    return said if said.endswith((".", "!", "?")) else f"{said}."


def merged(own: dict[str, list[str]], api: dict[str, list[str]]) -> dict[str, list[str]]:
    """The API's problems with the page's own instead for the fields the page named (the API
    says of a field left out that it is required; the page says what to fill in)."""
    return {**api, **own}


async def schools(access: Access, today: date) -> list[SchoolGroup]:
    """The organizations the visitor reads (an administrator: all) not closed before `today`,
    by territory (territories in natural order of their names, each's organizations too): one
    query."""
    readable = await readable_organizations(access.principal, access.scopes)
    query = (
        select(
            Organization.id,
            Organization.name,
            Organization.short_name,
            Territory.id,
            Territory.name,
        )
        .join(Territory, Territory.id == Organization.territory_id)
        .where(or_(Organization.closed_on.is_(None), Organization.closed_on >= today))
    )
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    groups: dict[uuid.UUID, SchoolGroup] = {}
    for org_id, name, short, territory_id, territory in await access.session.execute(query):
        group = groups.setdefault(territory_id, SchoolGroup(territory_id, territory))
        group.schools.append(School(org_id, short or name))
    for group in groups.values():
        group.schools.sort(key=lambda s: natural_key(s.name))
    return sorted(groups.values(), key=lambda g: natural_key(g.name))


async def choices(client: SurveysClient) -> list[ChoiceGroup]:
    """The questionnaires to launch: the bank's instruments by kind (`KIND_NAMES`), each's
    versions the latest first (one call: the bank's list carries them). Raises what the
    client raises."""
    instruments = sorted(await client.instruments(), key=lambda i: natural_key(i.title))
    groups = {kind: ChoiceGroup(label) for kind, label in KIND_NAMES.items()}
    for instrument in instruments:
        group = groups.setdefault(instrument.kind, ChoiceGroup(instrument.kind))
        group.choices += _versions(instrument)
    return [g for g in groups.values() if g.choices]


def _versions(instrument: Instrument) -> list[Choice]:
    audiences = ", ".join(AUDIENCE_NAMES.get(a, a) for a in instrument.audience)
    latest = instrument.latest_version
    found = [
        Choice(f"{instrument.id}:{latest}", f"{instrument.title} ({audiences}) — версия {latest}")
    ]
    found += [
        Choice(
            f"{instrument.id}:{v.version}",
            f"{instrument.title} ({audiences}) — прежняя версия {v.version} "
            f"от {v.created_at:%d.%m.%Y}",
        )
        for v in sorted(instrument.versions, key=lambda v: -v.version)
        if v.version != latest
    ]
    return found


async def launched(request: Request) -> Campaign | None:
    """The campaign the home's `?launched=<id>` names (a launch from the page just led
    there), as the visitor reads it; None for none, one they do not read, the surveys
    service down."""
    try:
        campaign_id = uuid.UUID(request.query_params.get("launched", ""))
    except ValueError:
        return None
    try:
        return await surveys(request).campaign(campaign_id)
    except (NotFound, Forbidden, PeerUnavailable, PeerRefused):
        return None


def warnings_of(campaign: Campaign) -> list[str]:
    """What the launch's answer warned of (`POST /v1/campaigns`' `warnings`, which the redirect
    to the home does not carry), said again from the campaign as read: an opening over a year
    from its period (shared/campaign_periods.py) — «кампания открывается 05.12.2026, больше
    чем через год после конца периода «2019/2020» …»."""
    found = opening_warnings(campaign.opens_at, parse_period(campaign.period))
    return [warning.removeprefix("period: ") for warning in found]
