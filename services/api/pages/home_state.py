"""Where a person is on their home: the period it shows, the page of each of its paged lists
(campaigns, diagnostics, recommendations) and the recommendations' filter — the home's own
query parameters (`PARAMS`). Every form of the home posts them back in its `back` field, and
the redirect after the step brings the person to the same place: a recommendation accepted
on the diagnostics' second page, the PD order rebuilt from it, an activity marked done or a
collection's data submitted while on the second page of campaigns, come back to that page.

A `back` is what a browser posts, so it is read as untrusted: only the home's parameters,
the last of each (as the home reads a query), each as the home would take it (an offset of
digits, a recommendation status, an organization id, a period that parses); anything else
is dropped, never an error.
"""

import uuid
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request

from services.api.pages.render import RECOMMENDATION_STATUSES
from shared.periods import parse_period

PARAMS = ("period", "camp_from", "diag_from", "rec_status", "rec_org", "rec_from")
# A `back` longer than the home's parameters can be is cut before it is read.
MAX_BACK = 400


def _taken(name: str, value: str) -> bool:
    """Whether the home takes `value` for its parameter `name`."""
    if name.endswith("_from"):  # a list's first page is the home without it
        return value.isdigit() and len(value) < 9 and int(value) > 0
    if name == "rec_status":
        return value in RECOMMENDATION_STATUSES
    if name == "rec_org":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    try:  # period
        parse_period(value)
    except ValueError:
        return False
    return len(value) <= 20


def kept(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The home's own parameters among `pairs` (a query's items), in `PARAMS` order, each as
    the home reads it: the last value of a name, dropped when the home would not take it."""
    last = {name: value for name, value in pairs if name in PARAMS}
    return [(name, last[name]) for name in PARAMS if name in last and _taken(name, last[name])]


def of_request(request: Request) -> str:
    """The state of the home as asked (urlencoded; empty for the plain home): its forms' `back`."""
    return urlencode(kept(request.query_params.multi_items()), safe="/")


def from_back(posted: str) -> str:
    """The state a form's `back` field names (urlencoded, cleaned; empty for anything else)."""
    return urlencode(kept(parse_qsl(posted[:MAX_BACK])), safe="/")


def home(notice: list[tuple[str, str]], back: str, anchor: str, **replaced: str) -> str:
    """The home with `notice` (what the step says, e.g. `[("moved", "accepted")]`) and the
    state of `back` (a form's field), some parameters `replaced` (the period a PD order was
    rebuilt for), at `anchor` (`#…`)."""
    state = [(k, v) for k, v in parse_qsl(from_back(back)) if k not in replaced]
    query = urlencode([*notice, *state, *replaced.items()], safe="/")
    return f"/home?{query}{anchor}" if query else f"/home{anchor}"
