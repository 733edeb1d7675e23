"""What an answer item says of the posted data values behind it: whether they are approved
(`approval_of`) and whether a flagged one went into it or was left out (`flagged_of`), from
what data_value.py counted (None there: the value rests on no posted data value), and
how a value computed from other indicators' values inherits both (`derived`: formulas)."""

from collections.abc import Iterable
from typing import Any

from services.reports.indicator_values.methods.base import Value


def approval_of(value: Value) -> dict[str, Any]:
    """`approved` and `approved_organizations` of an item (data values say how many of the
    organizations behind them are approved): `approved` true when every organization behind
    the value (coverage's `organizations_reporting`) has its data approved, false when one
    has not, null when the value rests on no posted data value; the count of approved
    organizations (1 or 0 for an organization), null likewise. A derived value (`derived`)
    says `approved` outright; its count is null for a group's value."""
    if value.value is None:
        return {"approved": None, "approved_organizations": None}
    if value.approved is not None:
        return {"approved": value.approved, "approved_organizations": value.approved_organizations}
    approved = value.approved_organizations
    reporting = (value.coverage or {}).get("organizations_reporting")
    if approved is None or not reporting:
        return {"approved": None, "approved_organizations": None}
    return {"approved": approved == reporting, "approved_organizations": approved}


def flagged_of(value: Value) -> dict[str, Any]:
    """`flagged`: true when a flagged data value (an outlier, or one a broken validation rule
    reads) went into the value, false when none did, null when the value rests on no posted
    data value or there is none; `flagged_organizations`: how many of the organizations behind
    it had one counted (1 or 0 for an organization; null for a derived group's value), null
    likewise; `flagged_left_out`: how many flagged values were left out of it
    (SOKO_FLAGGED_VALUES=skip, a group's value; 0 otherwise), null when it rests on no posted
    data value."""
    counted, left_out = value.flagged_organizations, value.flagged_left_out
    if counted is None and value.flagged is None:
        return {"flagged": None, "flagged_organizations": None, "flagged_left_out": None}
    if value.value is None:
        return {"flagged": None, "flagged_organizations": None, "flagged_left_out": left_out}
    flagged = value.flagged if value.flagged is not None else counted > 0
    return {"flagged": flagged, "flagged_organizations": counted, "flagged_left_out": left_out}


def derived(inputs: Iterable[Value], organization: bool) -> dict[str, Any]:
    """The marks of a value computed from `inputs` (the values a formula read; each counted
    once), as `Value` fields: `approved` true when every input with a value that rests on
    posted data values is approved, `flagged` true when a flagged data value went into one of
    them, `flagged_left_out` the flagged values left out of them all; for an organization
    (`organization`) the counts are 1 or 0, for a group null (its inputs' organizations are not
    counted together: the sum `flagged_left_out` counts one left out of two inputs twice, so
    the pages say no count of organizations for it). Empty when no input rests on a posted
    data value."""
    distinct = {id(v): v for v in inputs}.values()
    posted = [v for v in distinct if v.flagged_left_out is not None]
    if not posted:
        return {}
    valued = [v for v in posted if v.value is not None]
    approved = all(approval_of(v)["approved"] for v in valued) if valued else None
    flagged = any(flagged_of(v)["flagged"] for v in valued) if valued else None
    counts = organization and valued
    return {
        "approved": approved,
        "flagged": flagged,
        "approved_organizations": int(bool(approved)) if counts else None,
        "flagged_organizations": int(bool(flagged)) if counts else None,
        "flagged_left_out": sum(v.flagged_left_out or 0 for v in posted),
    }
