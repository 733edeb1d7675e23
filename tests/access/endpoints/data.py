"""Rows of the access matrix: indicators, data values (posted, uploaded, queried), outlier
bounds and flags, validation rules and results, the data version and the change feeds."""

from tests.access.cases import (
    CHECKED,
    EVERYONE,
    RULE_EDITORS,
    Case,
    bulk_cases,
    fixed,
    org,
    terr,
)
from tests.factories import World

VALUES_CSV = "indicator_code;organization_id;period;value\ne_planning;{s1};2021/2022;1\n"


def values(w: World, inside: bool) -> dict:
    return {
        "values": [
            {
                "indicator_code": "e_planning",
                "organization_id": org(w, True),
                "period": "2021/2022",
                "value": True,
            }
        ]
    }


TABLE = [
    Case(
        "api",
        "POST",
        "/v1/indicators",
        frozenset({"admin", "analyst"}),
        fixed("/v1/indicators"),
        body=lambda w, i: {
            "code": "new_one",
            "owner_territory_id": terr(w, i),
            "name": "Новый",
            "unit": "percent",
            "level": "organization",
            "method": "data_value",
            "params": {"value_type": "percent"},
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/indicators", EVERYONE, fixed("/v1/indicators"), scoped=False),
    Case(
        "api",
        "GET",
        "/v1/indicators/{indicator_id}",
        EVERYONE,
        lambda w, i: f"/v1/indicators/{w.planning.id}",
        scoped=False,
    ),
    Case(
        "api",
        "PATCH",
        "/v1/indicators/{indicator_id}",
        frozenset({"admin", "analyst"}),
        lambda w, i: f"/v1/indicators/{w.planning.id}",
        # A global indicator: an analyst sets the targets of their own scope only (its
        # definition is the administrators', see tests/api/test_indicators.py).
        body=lambda w, i: {
            "targets": [
                {"op": ">=", "value": 80, "scope_type": "organization", "scope_id": org(w, i)}
            ]
        },
    ),
    # Rows outside the caller's scope are rejected in the summary, not refused (see
    # tests/api/test_data_values.py).
    *bulk_cases("/v1/data-values", values, ("values.csv", VALUES_CSV)),
    Case("api", "GET", "/v1/data-values", EVERYONE, fixed("/v1/data-values"), scoped=False),
    # Outliers: a school's bound is its territory's analysts' (the global one an
    # administrator's, tests/api/test_outliers.py); flags are read as the values are.
    Case("api", "GET", "/v1/outlier-bounds", EVERYONE, fixed("/v1/outlier-bounds"), scoped=False),
    Case(
        "api",
        "PUT",
        "/v1/outlier-bounds",
        frozenset({"admin", "analyst"}),
        fixed("/v1/outlier-bounds"),
        body=lambda w, i: {"indicator_code": CHECKED, "organization_id": org(w, i), "upper": 90},
    ),
    Case(
        "api",
        "DELETE",
        "/v1/outlier-bounds",
        frozenset({"admin", "analyst"}),
        lambda w, i: f"/v1/outlier-bounds?indicator_code={CHECKED}&organization_id={org(w, i)}",
        ok=204,
    ),
    Case(
        "api",
        "GET",
        "/v1/outliers",
        EVERYONE,
        lambda w, i: f"/v1/outliers?territory_id={terr(w, i)}&period=2021/2022",
    ),
    # Reads only, though a POST; rows outside the caller's scope are left out, not refused.
    Case(
        "api",
        "POST",
        "/v1/data-values/query",
        EVERYONE,
        fixed("/v1/data-values/query"),
        body=lambda w, i: {
            "indicator_codes": ["e_planning"],
            "periods": ["2021/2022"],
            "organization_ids": None,
        },
        scoped=False,
    ),
    # The version of the data the reports are computed from: a Soko service's own token only
    # (it moves with every parent's submission anywhere).
    Case(
        "api",
        "GET",
        "/v1/data-version",
        frozenset({"service"}),
        fixed("/v1/data-version"),
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/data-version",
        frozenset({"service"}),
        fixed("/v1/data-version"),
        scoped=False,
    ),
    # The change feeds: a Soko service's own token only (acting for a user, it is refused too:
    # tests/api/test_changes.py).
    Case("api", "GET", "/v1/changes", frozenset({"service"}), fixed("/v1/changes"), scoped=False),
    Case(
        "surveys", "GET", "/v1/changes", frozenset({"service"}), fixed("/v1/changes"), scoped=False
    ),
]


# Validation rules: M1's rule (inside) and M2's (outside), each over the world's indicator.
def vrule(w: World, inside: bool) -> str:
    return f"/v1/validation-rules/{w.validation_rules['m1' if inside else 'm2']}"


TABLE += [
    Case(
        "api",
        "POST",
        "/v1/validation-rules",
        RULE_EDITORS,
        fixed("/v1/validation-rules"),
        body=lambda w, i: {
            "code": "access_check",
            "owner_territory_id": terr(w, i),
            "left": "e_planning",
            "operator": "<=",
            "right": "1",
            "message": "Проверка",
        },
        ok=201,
    ),
    Case(
        "api", "GET", "/v1/validation-rules", EVERYONE, fixed("/v1/validation-rules"), scoped=False
    ),
    Case("api", "GET", "/v1/validation-rules/{rule_id}", EVERYONE, vrule),
    Case(
        "api",
        "PATCH",
        "/v1/validation-rules/{rule_id}",
        RULE_EDITORS,
        vrule,
        body=lambda w, i: {"importance": "low"},
    ),
    Case("api", "DELETE", "/v1/validation-rules/{rule_id}", RULE_EDITORS, vrule, ok=204),
    # Filtered to the caller's organizations inside a territory they see; 404 outside.
    Case(
        "api",
        "GET",
        "/v1/validation-results",
        EVERYONE,
        lambda w, i: f"/v1/validation-results?territory_id={terr(w, i)}&period=2021/2022",
    ),
]
