"""Whether a scope's kept values are current, and making them so.

A code's kept values (`store`) are current while what they were computed from is unchanged:
the cursors of the feeds the indicator reads, how many campaigns have published their figures
(the clock alone changes that; for survey values), the view (`view_of`: whose scope, personal
results or aggregates, working or published), the disclosure minimum and, for result
objectivity flags, the analysis' thresholds. `make_current` recomputes the stale ones, one
caller at a time per run.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from services.reports.facts.store import feed_states
from services.reports.indicator_values import computation, store
from services.reports.indicator_values.computation import Prepared
from shared.db import utcnow
from shared.disclosure import SIDE_MINIMUM, published_by
from shared.identity import Principal
from shared.settings import get_settings


def view_of(principal: Principal, *, personal: bool, approved_only: bool = False) -> str:
    """Whose view of the data values are: the caller's scope ("all" for administrators and
    services), which decides the organizations whose groups they see, and whether small groups
    of teachers' personal results are in it (`personal`: the caller reads them and did not ask
    for the public view; a view without them ends in ":aggregates"). The published view
    (`approved_only`) is kept apart from the working one: it ends in ":approved"; values that
    leave flagged data values out (SOKO_FLAGGED_VALUES=skip) are kept apart too (":skip")."""
    if principal.unrestricted:
        base = "all"
    else:
        scope_type = principal.scope_type.value if principal.scope_type else None
        base = f"{scope_type}:{principal.scope_id}"
    view = base if personal else f"{base}:aggregates"
    view = f"{view}:approved" if approved_only else view
    return f"{view}:skip" if get_settings().flagged_values == "skip" else view


_PUBLISHED = text("SELECT count(*) FROM reports.fact_campaign WHERE closes_at <= :published_by")


async def versions_now(session: AsyncSession) -> dict[str, Any] | None:
    """What the facts are as of now: both feeds' cursors, and how many campaigns have
    published their figures (the clock alone changes that); None while a feed was never read."""
    states = await feed_states(session)
    if not all(source in states for source in ("api", "surveys")):
        return None
    published = await session.scalar(_PUBLISHED, {"published_by": published_by()})
    return {
        "api": states["api"].cursor,
        "surveys": states["surveys"].cursor,
        "published": int(published or 0),
    }


def _inputs(prepared: Prepared, key: store.RunKey, versions: dict[str, Any], code: str) -> str:
    """The hash of what a code's values are computed from: the cursors of the feeds it reads
    (and the published campaigns, for survey values), the view and the disclosure minimum."""
    sources = computation.sources_of(prepared.definitions, code)
    inputs: dict[str, Any] = {"view": key.view, "minimum": prepared.ctx.minimum}
    needed = computation.closure(prepared.definitions, {code})
    if any(prepared.definitions[c]["method"] == "organization_flagged_share" for c in needed):
        # Those values change with the analysis' thresholds as well as with the facts.
        inputs["thresholds"] = (prepared.ctx.thresholds or Thresholds()).model_dump()
    inputs |= {source: versions[source] for source in sorted(sources)}
    if "surveys" in sources:
        inputs["published"] = versions["published"]
        # The rule on complementary cells: values kept before it are computed again.
        inputs["side_minimum"] = SIDE_MINIMUM
    return store.inputs_hash(inputs)


async def make_current(
    session: AsyncSession,
    prepared: Prepared,
    key: store.RunKey,
    versions: dict[str, Any],
    codes: list[str],
    *,
    max_age: float = 0.0,
    wait: bool = True,
) -> tuple[datetime, dict[str, datetime]]:
    """Make the kept values of the codes current (computing those whose inputs changed, one
    caller at a time per run) and say when the newest of them was computed. Kept values whose
    inputs changed but that are younger than `max_age` seconds are left as they are and
    returned with when each was computed, to be recomputed after the answer. `wait` False:
    when another transaction is recomputing them, leave them to it."""
    inputs = {code: _inputs(prepared, key, versions, code) for code in codes}
    runs = await store.runs(session, key, codes)
    stale = [c for c in codes if c not in runs or runs[c].inputs != inputs[c]]
    now = utcnow()
    later = {
        c: runs[c].computed_at
        for c in stale
        if max_age and c in runs and (now - runs[c].computed_at).total_seconds() < max_age
    }
    stale = [c for c in stale if c not in later]
    if stale:
        if wait:
            await store.lock(session, key, stale)
        elif not await store.try_lock(session, key, stale):
            return now, {}
        seen = {c: runs[c].computed_at for c in stale if c in runs}
        runs |= await store.runs(session, key, stale)  # a caller before us may have kept them
        # What another transaction recomputed while we waited is served as it is, even if a
        # change came since: recomputing it again would only make both wait longer.
        stale = [
            c
            for c in stale
            if c not in runs or (runs[c].inputs != inputs[c] and runs[c].computed_at == seen.get(c))
        ]
    if stale:
        fresh = {c: inputs[c] for c in stale}
        items = await computation.items_of(prepared, stale)
        await store.keep(session, key, fresh, items, now, get_settings().timezone)
        return now, later
    return max((runs[c].computed_at for c in codes), default=now), later
