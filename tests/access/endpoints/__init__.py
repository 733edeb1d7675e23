"""The access matrix: one row (`Case`) per endpoint of every service, by area."""

from tests.access.cases import Case
from tests.access.endpoints import (
    accounts,
    assessments,
    collections,
    data,
    reports,
    roadmaps,
    surveys,
)

TABLE: list[Case] = [
    *accounts.TABLE,
    *roadmaps.TABLE,
    *data.TABLE,
    *assessments.TABLE,
    *surveys.TABLE,
    *reports.TABLE,
    *collections.TABLE,
]
CASES = {f"{c.service} {c.method} {c.path}": c for c in TABLE}
