"""The period a page or document shows when none is asked for, and its «←» «→» neighbours:
the latest period most organizations reported for (`latest_thick`), not one a few early values
opened; the reports' documents and the api's values pages both choose by it."""

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from shared.periods import Period


def thick(
    with_value: int, with_value_before: int, reporting: tuple[int, int] | None = None
) -> bool:
    """Is a period the one to show by default, with `with_value` indicators having a value in
    it and `with_value_before` in the period before? Some value, and not under half as many as
    before: a few values posted early for a new year do not hide the year everyone reported.
    For a group, `reporting` (the most organizations any of its values is made of, of how
    many it has) must be half of them at least: one school's full set posted early does not
    hide it either. (The reports' documents and the api's values pages choose their default
    period by it.)"""
    if reporting is not None and 2 * reporting[0] < reporting[1]:
        return False
    return with_value > 0 and 2 * with_value >= with_value_before


def organizations_of(coverage: Mapping[str, Any] | None) -> tuple[int, int] | None:
    """A value's coverage as (organizations it is made of, organizations of its group), when
    it counts organizations (`organizations_reporting`, `organizations`); None when it does
    not (an organization's own value, a survey's respondents)."""
    if not coverage:
        return None
    reporting, total = coverage.get("organizations_reporting"), coverage.get("organizations")
    return None if reporting is None or total is None else (reporting, total)


def reporting_of(coverages: Iterable[Mapping[str, Any] | None]) -> tuple[int, int] | None:
    """From the coverages of a group's values (`organizations_of`), the most organizations
    any value is made of and how many the group has (`thick`'s `reporting`); None when no
    value counts organizations of a group that has some."""
    counted = [o for c in coverages if (o := organizations_of(c)) and o[1]]
    if not counted:
        return None
    return max(n for n, _ in counted), max(total for _, total in counted)


Read = TypeVar("Read")


async def latest_thick(
    start: Period,
    read: Callable[[Period], Awaitable[Read]],
    counts: Callable[[Read], tuple[int, int, tuple[int, int] | None]],
    lookback: int,
) -> tuple[Period, Read]:
    """The default period to show, from `start` back: the first that is `thick`, with what
    `read(period)` gave for it. `counts(found)` tells how many indicators have a value in the
    period and in the one before, and the group's `reporting` (`thick`; each read carries the
    period before's values too, so the
    walk goes two periods a step and reads the one before only when it has values). Looks
    back up to 2 × `lookback` periods; none thick: `start` with its read. (The reports'
    documents and the api's values pages walk by it.)"""
    period = start
    first: tuple[Period, Read] | None = None
    for _ in range(lookback):
        found = await read(period)
        first = first or (period, found)
        now, before, reporting = counts(found)
        if thick(now, before, reporting):
            return period, found
        try:
            previous = period.previous
        except ValueError:  # before the earliest year a period may have
            break
        if before:
            return previous, await read(previous)
        try:
            period = previous.previous
        except ValueError:
            break
    assert first is not None, "lookback must be at least 1"
    return first


def around(period: Period, with_data: Iterable[Period]) -> tuple[str | None, str | None]:
    """The codes of the latest period of `period`'s kind among `with_data` before it and the
    earliest after it (None where there is none): a page's «←» and «→» links, so that a
    reader is never sent to an empty period (the reports' documents and the api's values
    pages link by it)."""
    same = [p for p in with_data if p.kind == period.kind]
    before = max((p for p in same if p.start < period.start), key=lambda p: p.start, default=None)
    after = min((p for p in same if p.start > period.start), key=lambda p: p.start, default=None)
    return (before.code if before else None, after.code if after else None)
