"""Values computed from other indicators (a formula, a share of organizations) say whether
they rest on flagged or unapproved data values, as the data values themselves do: flags and
approval pass through, SOKO_FLAGGED_VALUES=skip and the published view (`approved_only`)
reach them the same way."""

import pytest

from shared.settings import get_settings
from tests.reports.checks_world import break_and_flag, checks_world
from tests.reports.helpers import PERIOD, post_values, read_values
from tests.reports.quality_world import one_of_two_approved, quality_world
from tests.reports.test_flagged_values import LARGE

FLAGS = ("value", "flagged", "flagged_organizations", "flagged_left_out")
APPROVAL = ("value", "approved", "approved_organizations")
PASSED_SHARE = {
    "code": "passed_share",
    "name": "Доля сдавших ГИА",
    "unit": "percent",
    "level": "organization",
    "method": "formula",
    "params": {
        "numerator": "students_passed.value",
        "denominator": "students_total.value",
        "scale": 100,
    },
}
TRAINED_SHARE = {
    "code": "trained_share",
    "name": "Доля прошедших КПК, в долях единицы",
    "unit": "number",
    "level": "organization",
    "method": "formula",
    "params": {"numerator": "trained.value / 100"},
}
# A share of organizations as test_flagged_values' LARGE, over `trained`.
TRAINED_MOST = {
    **LARGE,
    "code": "trained_most",
    "name": "Доля школ, где КПК прошли не менее 60 % педагогов",
    "params": {"indicator_code": "trained", "condition": {"op": ">=", "value": 60}},
}


async def _define(client, world, definition):
    answer = await client.post("/v1/indicators", json=definition, headers=world.headers("admin"))
    assert answer.status_code == 201, answer.text


async def _of(client, world, code, fields, **params):
    answer = await read_values(client, world, indicator_code=[code], **params)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    by = {(i["scope_type"], i["scope_id"]): i for i in items if i["indicator_code"] == code}
    return lambda kind, scope: tuple(by[(kind, str(scope.id))][f] for f in fields)


@pytest.fixture
def skip(monkeypatch):
    monkeypatch.setattr(get_settings(), "flagged_values", "skip")


async def test_a_formula_over_flagged_values_is_marked_until_they_are_fixed(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    await _define(api_client, world, PASSED_SHARE)

    share = await _of(reports_client, world, "passed_share", FLAGS)
    # S2's 120 passed of 100 break a rule: the share over both is flagged.
    assert share("organization", world.s2) == (120, True, 1, 0)
    # A territory's pools the schools that posted both counts: S2's alone (S1 and «Школа 10»
    # posted totals only, which no longer join the denominator): flagged, its organizations
    # not counted together.
    assert share("territory", world.m1) == (120, True, None, 0)
    # S1 posted no passed: no value; its total is posted, none of it left out.
    assert share("organization", world.s1) == (None, None, None, 0)

    await post_values(api_client, world, [("students_passed", world.s2.id, PERIOD, 90)])
    share = await _of(reports_client, world, "passed_share", FLAGS)
    assert share("organization", world.s2) == (90, False, 0, 0)
    # S1's 5000 and «Школа 10»'s 5 are still outliers, but in no pooled school's counts.
    assert share("territory", world.m1) == (90, False, None, 0)


async def test_with_skip_a_formula_is_computed_without_flagged_values_and_says_so(
    api_client, reports_client, db, settings, skip
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    await _define(api_client, world, PASSED_SHARE)
    await post_values(api_client, world, [("students_passed", world.s2.id, PERIOD, 90)])

    share = await _of(reports_client, world, "passed_share", FLAGS)
    # The territory's 90 passed of S2's 100 students: S1's and «Школа 10»'s flagged totals
    # are in no school that posted both counts, so none is left out for its flag.
    assert share("territory", world.m1) == (90, False, None, 0)
    assert share("organization", world.s2) == (90, False, 0, 0)


async def test_approval_passes_through_formulas_and_shares(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await one_of_two_approved(api_client, world)  # trained: S1 90 approved, S2 50 not
    await _define(api_client, world, TRAINED_SHARE)
    await _define(api_client, world, TRAINED_MOST)

    working = await _of(reports_client, world, "trained_share", APPROVAL)
    assert working("organization", world.s1) == (0.9, True, 1)
    assert working("organization", world.s2) == (0.5, False, 0)
    assert working("territory", world.m1) == (0.7, False, None)
    most = await _of(reports_client, world, "trained_most", APPROVAL)
    assert most("territory", world.m1) == (50, False, 1)

    # Published: as the data values, an unapproved input leaves an organization's formula
    # without a value, and a group's is computed from the approved values only.
    published = await _of(reports_client, world, "trained_share", APPROVAL, approved_only="true")
    assert published("organization", world.s1) == (0.9, True, 1)
    assert published("organization", world.s2) == (None, None, None)
    assert published("territory", world.m1) == (0.9, True, None)
    most = await _of(reports_client, world, "trained_most", APPROVAL, approved_only="true")
    assert most("territory", world.m1) == (100, True, 1)


async def test_a_share_of_organizations_counts_the_flagged_ones(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    await _define(api_client, world, {**LARGE, "code": "large"})
    large = await _of(reports_client, world, "large", FLAGS)
    assert large("territory", world.m1) == (66.67, True, 3, 0)
