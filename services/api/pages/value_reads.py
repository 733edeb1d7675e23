"""What the values pages show, read from the reports service as the signed-in person (so a
page shows exactly what `GET /v1/indicator-values` would answer them) and named from the api's
own tables (`unit_names`; the decisions page's reads are in decision_reads.py).

The values table of a scope (`table`): for each indicator, the scope's own value, target,
status, previous value and change, then the units one level below it (a territory's child
territories and the clusters whose territory it is itself, or all its schools; a cluster's
schools), ordered naturally by name: a municipality's clusters are one click down from the
region, never beside the municipality (`_one_level_below`). One call per level
(`level=territory`, `cluster`, `organization`, every page of it), never one per school.
Without a period asked for, the latest with data: from the current academic year back, as the
reports' documents choose theirs (`LOOKBACK` calls at the most).

Who sees what: a teacher nothing (`Refused`); a person whose scope is one school only that
school (another scope is `NotFound`, whatever the reports service would answer about a cluster
the school is in); others what the reports service answers them (it refuses a scope outside
theirs with 404).
"""

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clients.models import IndicatorValue
from services.api.clients.reports import ReportsClient
from services.api.indicators.models import Indicator
from services.api.organizations.models import Cluster, ClusterMember, Organization
from services.api.pages.period_links import period_links
from services.api.territories.models import Territory
from shared.default_period import latest_thick, reporting_of
from shared.errors import Forbidden, NotFound, PeerRefused, PeerUnavailable
from shared.identity import Principal, Role, ScopeType
from shared.indicator_methods import pools_schools, references
from shared.periods import Period, academic_year_of
from shared.templating import natural_key
from shared.value_labels import flag_legend, flag_note, group_basis

logger = logging.getLogger("soko.api.pages")
# How many computations the default period may take: each gives a period and the one before
# it (`previous_value`), so three look six periods back (as the reports' documents do).
LOOKBACK = 3
# The units one level below a scope, in the order they are listed.
BELOW = {"territory": ("territory", "cluster"), "cluster": ("organization",), "organization": ()}
_MODELS = {"territory": Territory, "cluster": Cluster, "organization": Organization}


class Refused(Forbidden):
    """The visitor's role has no values pages (a teacher)."""


# A name that already says it is a cluster («Кластер сельских школ «Северный»», «Областной
# кластер»): the table adds no «(кластер)» after it.
_SAYS_CLUSTER = re.compile(r"(?<![а-яё])кластер", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """A territory, cluster or school on a page."""

    scope_type: str
    scope_id: uuid.UUID
    name: str

    @property
    def kind(self) -> str:
        """What the unit is, said after its name in the values table where its name does not
        say it: «кластер» for a cluster not named so; empty otherwise (a territory's and a
        school's names say what they are, a school's row links to its card)."""
        if self.scope_type == "cluster" and not _SAYS_CLUSTER.search(self.name):
            return "кластер"
        return ""


@dataclass
class Line:
    """One unit's value of one indicator."""

    unit: Unit
    item: IndicatorValue


@dataclass
class Block:
    """One indicator: the scope's own value, then the units below it."""

    code: str
    name: str
    unit: str
    own: IndicatorValue | None
    lines: list[Line] = field(default_factory=list)
    # How a cluster's or territory's figure is obtained (shared.value_labels.group_basis).
    basis: str = ""

    @property
    def groups(self) -> bool:
        """Does the block show a cluster's or a territory's figure?"""
        rows = [self.own.scope_type] if self.own else []
        return any(
            t != "organization" for t in rows + [line.unit.scope_type for line in self.lines]
        )


@dataclass
class Table:
    scope: Unit
    period: Period
    schools: bool  # a territory's schools listed instead of its clusters
    blocks: list[Block]
    crumbs: list[Unit]  # from the visitor's own scope down to this one (the last)
    # The nearest periods before and after with data (period_links.py): the «←» «→» links.
    links: tuple[str | None, str | None] = (None, None)

    @property
    def without_organizations(self) -> bool:
        """A territory or cluster with no organization at all (its values that count
        organizations say 0; a survey's count respondents): its page says so instead of
        listing every indicator with no data."""
        counted = [o[1] for b in self.blocks if b.own and (o := b.own.organizations)]
        return self.scope.scope_type != "organization" and bool(counted) and not any(counted)

    @property
    def flag_legend(self) -> str:
        """The note explaining the flagged data marks its values carry ("" for none)."""
        items = [b.own for b in self.blocks if b.own] + [
            line.item for b in self.blocks for line in b.lines
        ]
        return flag_legend(
            flag_note(i.flagged, i.flagged_organizations, i.flagged_left_out, i.scope_type)
            for i in items
        )


def allowed_scope(
    principal: Principal, scope_type: str | None, scope_id: uuid.UUID | None
) -> tuple[str, uuid.UUID] | None:
    """The scope a page is about: the asked one, by default the visitor's own; None for an
    administrator who asked for none (the territories to choose from). Refused for a teacher;
    NotFound for one school's person asking about anything but their school."""
    if principal.role == Role.teacher:
        raise Refused()
    own = (principal.scope_type.value, principal.scope_id) if principal.scope_id else None
    if scope_type is None or scope_id is None:
        return own
    if principal.scope_type == ScopeType.organization and (scope_type, scope_id) != own:
        raise NotFound()
    return scope_type, scope_id


def _only(items: list[IndicatorValue], indicator: str | None) -> list[IndicatorValue]:
    return [i for i in items if i.indicator_code == indicator] if indicator else items


async def _own_level(
    reports: ReportsClient, scope: tuple[str, uuid.UUID], period: Period, indicator: str | None
) -> list[IndicatorValue]:
    """The values at the scope's own level (itself, and a territory's sub-territories)."""
    items = await reports.indicator_values(period.code, scope[0], scope[1], scope[0])
    return _only(items, indicator)


def _with_value(items: list[IndicatorValue], scope_id: uuid.UUID, previous: bool = False) -> int:
    """How many of the scope's indicators have a value (or a value the period before)."""
    return sum(
        (i.previous_value if previous else i.value) is not None
        for i in items
        if i.scope_id == scope_id
    )


async def latest_with_data(
    reports: ReportsClient,
    scope: tuple[str, uuid.UUID],
    today: date,
    indicator: str | None = None,
) -> tuple[Period, list[IndicatorValue]]:
    """The latest period, from the current academic year back, in which the scope has a value
    of at least one indicator (or of `indicator`) and not under half as many as the period
    before (`shared.default_period.latest_thick`, as the documents choose), with the values at its
    own level; none in `2 × LOOKBACK` periods: the current academic year's."""

    async def read(period: Period) -> list[IndicatorValue]:
        return await _own_level(reports, scope, period, indicator)

    def counts(items: list[IndicatorValue]) -> tuple[int, int, tuple[int, int] | None]:
        own = [i for i in items if i.scope_id == scope[1] and i.value is not None]
        return (
            _with_value(items, scope[1]),
            _with_value(items, scope[1], previous=True),
            reporting_of(i.coverage for i in own),
        )

    return await latest_thick(academic_year_of(today), read, counts, LOOKBACK)


async def table(
    reports: ReportsClient,
    session: AsyncSession,
    principal: Principal,
    scope: tuple[str, uuid.UUID],
    period: Period | None,
    today: date,
    *,
    indicator: str | None = None,
    schools: bool = False,
    via: uuid.UUID | None = None,
) -> Table:
    """The values table of `scope` (see the module's docstring); `indicator`: that one only
    (NotFound when the visitor sees no such indicator: it is picked from what the reports
    service answers them, so that one they may not see is never asked for by name);
    `schools`: a territory's schools instead of its clusters; `via`: the cluster a school was
    reached from (its breadcrumbs). NotFound/Forbidden as the reports service answers."""
    if period is None:
        period, found = await latest_with_data(reports, scope, today, indicator)
    else:
        found = await _own_level(reports, scope, period, indicator)
    levels = BELOW[scope[0]]
    if scope[0] == "territory" and schools:
        levels = ("territory", "organization")
    for level in levels:
        if level != scope[0]:
            below = await reports.indicator_values(period.code, scope[0], scope[1], level)
            found += _only(below, indicator)
    if scope[0] == "territory":
        found = await _one_level_below(session, scope[1], found)
    if indicator and not found:
        raise NotFound()
    names = await unit_names(session, {(i.scope_type, i.scope_id) for i in found})
    blocks: dict[str, Block] = {}
    for item in found:
        block = blocks.setdefault(
            item.indicator_code,
            Block(item.indicator_code, item.indicator_name, item.unit, None),
        )
        if item.scope_id == scope[1]:
            block.own = item
        else:
            unit = Unit(item.scope_type, item.scope_id, names.get(item.scope_id, "—"))
            block.lines.append(Line(unit, item))
    order = list(levels)
    bases = await group_bases(session, set(blocks))
    for block in blocks.values():
        block.lines.sort(key=lambda line: (order.index(line.unit.scope_type), _key(line.unit)))
        block.basis = bases.get(block.code, "")
    crumbs = await breadcrumbs(session, principal, scope, via)
    links = await period_links(session, scope, period)
    return Table(
        crumbs[-1], period, schools, sorted(blocks.values(), key=_block_key), crumbs, links
    )


async def _one_level_below(
    session: AsyncSession, territory_id: uuid.UUID, items: list[IndicatorValue]
) -> list[IndicatorValue]:
    """A territory's `items` without the territories and clusters deeper than one level below
    it (the reports service answers every unit inside the scope): kept are the territory
    itself, its child territories, the clusters whose territory it is, and every school."""
    children = await session.scalars(
        select(Territory.id).where(Territory.parent_id == territory_id)
    )
    clusters = await session.scalars(select(Cluster.id).where(Cluster.territory_id == territory_id))
    own = {territory_id, *children, *clusters}
    return [i for i in items if i.scope_type == "organization" or i.scope_id in own]


async def group_bases(session: AsyncSession, codes: set[str]) -> dict[str, str]:
    """How each indicator's group figures are obtained (by code; shared.value_labels), from
    the definitions in one query."""
    if not codes:
        return {}
    rows = list(
        await session.execute(
            select(Indicator.code, Indicator.method, Indicator.unit, Indicator.params).where(
                Indicator.code.in_(codes)
            )
        )
    )
    named = {r for _, m, _, p in rows for r in references(m, p or {})}
    kinds = await session.execute(
        select(Indicator.code, Indicator.method, Indicator.unit).where(Indicator.code.in_(named))
    ) if named else []  # fmt: skip
    referenced = {code: (method, unit) for code, method, unit in kinds}
    return {
        code: group_basis(
            method, unit, params, method == "formula" and pools_schools(params or {}, referenced)
        )
        for code, method, unit, params in rows
    }


def _key(unit: Unit) -> tuple:
    return natural_key(unit.name)


def _block_key(block: Block) -> tuple:
    return natural_key(block.name)


async def unit_names(
    session: AsyncSession, units: set[tuple[str, uuid.UUID]]
) -> dict[uuid.UUID, str]:
    """The names of territories, clusters and schools (a school's short name when it has
    one): a query per type named."""
    names: dict[uuid.UUID, str] = {}
    for scope_type, model in _MODELS.items():
        ids = [i for t, i in units if t == scope_type]
        if not ids:
            continue
        short = model.short_name if model is Organization else model.name
        rows = await session.execute(
            select(model.id, short, model.name).where(model.id.in_(ids))  # type: ignore[attr-defined]
        )
        names |= {uid: brief or full for uid, brief, full in rows}
    return names


async def _territory_chain(session: AsyncSession, territory_id: uuid.UUID | None) -> list[Unit]:
    """A territory and its ancestors, the top first (a query per level: two or three)."""
    chain: list[Unit] = []
    while territory_id is not None and len(chain) < 10:
        row = (
            await session.execute(
                select(Territory.name, Territory.parent_id).where(Territory.id == territory_id)
            )
        ).first()
        if row is None:
            break
        chain.insert(0, Unit("territory", territory_id, row.name))
        territory_id = row.parent_id
    return chain


async def breadcrumbs(
    session: AsyncSession, principal: Principal, scope: tuple[str, uuid.UUID], via: uuid.UUID | None
) -> list[Unit]:
    """From the visitor's own scope (an administrator's: the top territory) down to `scope`
    (last): its territories, the cluster a school was reached from (`via`, when it is one of
    the school's), the scope itself."""
    scope_type, scope_id = scope
    model = _MODELS[scope_type]
    here = await session.get(model, scope_id)
    if here is None:
        raise NotFound()
    name = getattr(here, "short_name", None) or here.name
    if scope_type == "territory":
        chain = await _territory_chain(session, scope_id)
    else:
        chain = await _territory_chain(session, here.territory_id)
        if scope_type == "organization" and via is not None:
            member = await session.scalar(
                select(Cluster.name)
                .join(ClusterMember, ClusterMember.cluster_id == Cluster.id)
                .where(Cluster.id == via, ClusterMember.organization_id == scope_id)
            )
            if member is not None:
                chain.append(Unit("cluster", via, member))
        chain.append(Unit(scope_type, scope_id, name))
    if principal.unrestricted:
        return chain
    ids = [u.scope_id for u in chain]
    return chain[ids.index(principal.scope_id) :] if principal.scope_id in ids else chain[-1:]


async def territories(session: AsyncSession) -> list[Unit]:
    """Every territory, for an administrator to choose from: regions first, then naturally."""
    rows = await session.execute(select(Territory.id, Territory.name, Territory.parent_id))
    found = [(parent is not None, Unit("territory", tid, name)) for tid, name, parent in rows]
    return [u for _, u in sorted(found, key=lambda f: (f[0], _key(f[1])))]


async def home_table(
    reports: ReportsClient, session: AsyncSession, principal: Principal, today: date
) -> Table | None:
    """The values table of the visitor's own scope in the latest period with data, for a home;
    None when the reports service does not answer or refuses."""
    if principal.scope_type is None or principal.scope_id is None:
        return None
    scope = (principal.scope_type.value, principal.scope_id)
    try:
        return await table(reports, session, principal, scope, None, today)
    except (PeerUnavailable, PeerRefused, NotFound, Forbidden) as exc:
        logger.warning("a home could not read indicator values: %s", exc.detail)
        return None
