"""What an answer item says of the posted data values behind it: whether they are approved
(`approval_of`) and whether a flagged one went into it or was left out (`flagged_of`), from
what methods/data_value.py counted (None there: the value rests on no posted data value)."""

from typing import Any

from services.reports.indicator_values.methods.base import Value


def approval_of(value: Value) -> dict[str, Any]:
    """`approved` and `approved_organizations` of an item (data values say how many of the
    organizations behind them are approved): `approved` true when every organization behind
    the value (coverage's `organizations_reporting`) has its data approved, false when one
    has not, null when the value rests on no posted data value; the count of approved
    organizations (1 or 0 for an organization), null likewise."""
    approved = value.approved_organizations
    reporting = (value.coverage or {}).get("organizations_reporting")
    if approved is None or not reporting or value.value is None:
        return {"approved": None, "approved_organizations": None}
    return {"approved": approved == reporting, "approved_organizations": approved}


def flagged_of(value: Value) -> dict[str, Any]:
    """`flagged`: true when a flagged data value (an outlier, or one a broken validation rule
    reads) went into the value, false when none did, null when the value rests on no posted
    data value or there is none; `flagged_organizations`: how many of the organizations behind
    it had one counted (1 or 0 for an organization), null likewise; `flagged_left_out`: how
    many flagged values were left out of it (SOKO_FLAGGED_VALUES=skip, a group's value; 0
    otherwise), null when it rests on no posted data value."""
    counted, left_out = value.flagged_organizations, value.flagged_left_out
    if counted is None:
        return {"flagged": None, "flagged_organizations": None, "flagged_left_out": None}
    if value.value is None:
        return {"flagged": None, "flagged_organizations": None, "flagged_left_out": left_out}
    return {"flagged": counted > 0, "flagged_organizations": counted, "flagged_left_out": left_out}
