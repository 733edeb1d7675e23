"""Rows of the access matrix: the reports service's indicator values, НОК, complex analysis,
recommendation rules and recommendations, decisions, PD catalogue and order, routes and report
documents."""

from services.reports.recommendations.rules import default_rule_id
from tests.access.cases import (
    EVERYONE,
    RULE_EDITORS,
    SCHOOL_PEOPLE,
    Case,
    fixed,
    org,
    terr,
)
from tests.factories import World

TABLE = [
    Case(
        "reports",
        "GET",
        "/v1/indicator-values",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: (
            f"/v1/indicator-values?period=2021/2022&scope_type=territory&scope_id={terr(w, i)}"
        ),
        hidden=SCHOOL_PEOPLE,
    ),
]
TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/nok",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/nok?territory_id={terr(w, i)}&period=2021/2022",
        hidden=SCHOOL_PEOPLE,
    ),
]
# Complex analysis (issue 15): a territory's results, read by whoever sees the territory (like
# НОК).
TABLE += [
    Case(
        "reports",
        "GET",
        f"/v1/analysis/{name}",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i, name=name: f"/v1/analysis/{name}?territory_id={terr(w, i)}&year=2021/2022",
        hidden=SCHOOL_PEOPLE,
    )
    for name in ("objectivity", "task-completion", "low-results", "context", "resilient")
]
# Recommendations: global rules are the administrators', a territory's own rules its analysts'
# (tests/reports/test_recommendation_owners.py); recommendations follow the scope of what they
# concern.
ISSUERS = frozenset({"admin", "analyst", "methodologist"})
RULE = f"/v1/recommendation-rules/{default_rule_id('leader_indicator_not_achieved')}"


def rec(w: World, inside: bool) -> str:
    return str((w.rec_s1 if inside else w.rec_s3).id)


TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/recommendation-rules",
        EVERYONE,
        fixed("/v1/recommendation-rules"),
        scoped=False,
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendation-rules",
        RULE_EDITORS,
        fixed("/v1/recommendation-rules"),
        body=lambda w, i: {
            "code": "access_rule",
            "owner_territory_id": terr(w, i),
            "title": "Проверка",
            "condition": "indicator_not_achieved",
            "addressee_type": "organization_leader",
            "template": "{indicator}: {value}",
        },
        ok=201,
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendation-rules/{rule_id}",
        EVERYONE,
        fixed(RULE),
        scoped=False,
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/recommendation-rules/{rule_id}",
        frozenset({"admin"}),  # a global rule
        fixed(RULE),
        body=lambda w, i: {"title": "Показатель не достиг цели"},
        scoped=False,
    ),
    Case(
        "reports",
        "PUT",
        "/v1/recommendation-rules/{rule_id}/territories/{territory_id}",
        RULE_EDITORS,
        lambda w, i: f"{RULE}/territories/{terr(w, i)}",
        body=lambda w, i: {"active": False},
    ),
    Case(
        "reports",
        "DELETE",
        "/v1/recommendation-rules/{rule_id}",
        frozenset({"admin"}),  # a global rule
        fixed(RULE),
        ok=204,
        scoped=False,
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendations/generate",
        ISSUERS,
        fixed("/v1/recommendations/generate"),
        body=lambda w, i: {"territory_id": terr(w, i), "period": "2021/2022"},
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendations",
        EVERYONE,
        fixed("/v1/recommendations"),
        scoped=False,
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendations/{recommendation_id}",
        frozenset({"admin", "analyst", "methodologist", "leader", "viewer", "service"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}",
        hidden=frozenset({"teacher"}),  # addressed to others: not theirs to know
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/recommendations/{recommendation_id}",
        frozenset({"admin", "analyst", "methodologist", "leader"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}",
        body=lambda w, i: {"status": "accepted"},
        hidden=frozenset({"teacher"}),  # addressed to others: not theirs to know
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendations/{recommendation_id}/decisions",
        frozenset({"admin", "analyst", "methodologist", "leader"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}/decisions",
        body=lambda w, i: {
            "text": "Решение",
            "decided_on": "2022-06-01",
            "responsible": "Директор",
        },
        ok=201,
        hidden=frozenset({"teacher"}),  # addressed to others: not theirs to know
    ),
    Case(
        "reports",
        "GET",
        "/v1/decisions",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/decisions?territory_id={terr(w, i)}&period=2021/2022",
        hidden=SCHOOL_PEOPLE,
    ),
    Case(
        "reports",
        "GET",
        "/v1/decisions/periods",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/decisions/periods?territory_id={terr(w, i)}",
        hidden=SCHOOL_PEOPLE,
    ),
]
# PD catalogue (the global one is the administrators', a territory's own programmes its analysts'
# and methodologists': tests/reports/test_pd_programme_owners.py), the PD order of a territory, and
# teachers' routes (personal data).
PD_EDITORS = frozenset({"admin", "analyst", "methodologist"})
TABLE += [
    Case("reports", "GET", "/v1/pd-programmes", EVERYONE, fixed("/v1/pd-programmes"), scoped=False),
    Case(
        "reports",
        "POST",
        "/v1/pd-programmes",
        PD_EDITORS,
        fixed("/v1/pd-programmes"),
        body=lambda w, i: {
            "code": "access_pd",
            "owner_territory_id": terr(w, i),
            "title": "Проверка",
            "provider": "ИМЦ",
            "hours": 16,
            "competences": ["tools"],
        },
        ok=201,
    ),
    Case(
        "reports",
        "GET",
        "/v1/pd-programmes/{programme_id}",
        EVERYONE,
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        scoped=False,
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/pd-programmes/{programme_id}",
        frozenset({"admin"}),  # in the global catalogue
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        body=lambda w, i: {"hours": 36},
        scoped=False,
    ),
    Case(
        "reports",
        "DELETE",
        "/v1/pd-programmes/{programme_id}",
        frozenset({"admin"}),  # in the global catalogue
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        ok=204,
        scoped=False,
    ),
    Case(
        "reports",
        "GET",
        "/v1/pd-order",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/pd-order?territory_id={terr(w, i)}&period=2021/2022",
    ),
    Case(
        "reports",
        "GET",
        "/v1/individual-routes",
        frozenset({"teacher", "leader", "methodologist"}),
        lambda w, i: f"/v1/individual-routes?period=2021/2022&organization_id={org(w, i)}",
    ),
]
# Report documents: readers of the owner's indicator values (a school's own people read the
# school's card, and its own roadmaps' reports: see tests/reports/test_documents.py).
TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/reports/roadmaps/{roadmap_id}",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/reports/roadmaps/{(w.r1 if i else w.r2).id}?period=2021/2022",
        hidden=SCHOOL_PEOPLE,
    ),
    Case(
        "reports",
        "GET",
        "/v1/reports/organizations/{organization_id}",
        EVERYONE,
        lambda w, i: f"/v1/reports/organizations/{org(w, i)}?period=2021/2022",
    ),
]
