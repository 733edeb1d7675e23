"""Rows of the access matrix: the surveys service's instruments, campaigns, sheets, imports,
invitations and anonymous responses."""

from tests.access.cases import (
    EVERYONE,
    Case,
    fixed,
    org,
)
from tests.factories import World


def small_instrument() -> dict:
    return {
        "code": "access_check",
        "kind": "satisfaction",
        "title": "Проверка",
        "description": "",
        "audience": ["parents"],
        "competences": [],
        "sections": [
            {
                "code": "main",
                "title": "Основное",
                "questions": [{"code": "q1", "type": "yes_no", "text": "Всё хорошо?"}],
            }
        ],
    }


def instrument_xlsform() -> bytes:
    from services.surveys.instruments.definition import InstrumentDefinition
    from services.surveys.instruments.xlsform import to_xlsform

    return to_xlsform(
        InstrumentDefinition.model_validate(small_instrument() | {"code": "access_xls"})
    )


def camp(w: World, name: str, inside: bool) -> str:
    return str(w.campaigns[f"{name}_{'s1' if inside else 's3'}"].id)


def nok_answers() -> dict:
    answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
    answers.pop("nok_07")
    return answers


AUTHORS = frozenset({"admin", "analyst", "methodologist"})
LAUNCHERS = AUTHORS | {"leader", "service"}
NOK = lambda w, i: w.instruments["nok_parents_2018"][0]  # noqa: E731
TABLE = [
    Case("surveys", "GET", "/v1/instruments", EVERYONE, fixed("/v1/instruments"), scoped=False),
    Case(
        "surveys",
        "POST",
        "/v1/instruments",
        AUTHORS,
        fixed("/v1/instruments"),
        body=lambda w, i: small_instrument(),
        ok=201,
        scoped=False,
    ),
    Case(
        "surveys",
        "POST",
        "/v1/instruments/xlsform",
        AUTHORS,
        fixed("/v1/instruments/xlsform"),
        form=lambda w, i: {},
        file=("form.xlsx", instrument_xlsform()),
        ok=201,
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/codes",
        EVERYONE,
        fixed("/v1/instruments/codes?code=nok_parents_2018"),
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}",
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}/versions",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}/versions",
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}/export",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}/export?format=xlsform",
        scoped=False,
    ),
    # Outside the scope, a launch is refused as a bad field (see tests/surveys/test_campaigns.py).
    Case(
        "surveys",
        "POST",
        "/v1/campaigns",
        LAUNCHERS - {"service"},
        fixed("/v1/campaigns"),
        body=lambda w, i: {
            "instrument_id": str(NOK(w, i)),
            "audience": "parents",
            "organization_ids": [org(w, True)],
            "period": "2021/2022",
            "opens_at": "2021-09-01T00:00:00+03:00",
            "closes_at": "2021-10-01T00:00:00+03:00",
        },
        ok=201,
        scoped=False,
    ),
    Case("surveys", "GET", "/v1/campaigns", EVERYONE, fixed("/v1/campaigns"), scoped=False),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}",
    ),
    Case(
        "surveys",
        "PATCH",
        "/v1/campaigns/{campaign_id}",
        LAUNCHERS - {"service"},
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}",
        body=lambda w, i: {"title": "Анкета"},
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/rates",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/rates",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/pending",
        LAUNCHERS,
        lambda w, i: f"/v1/campaigns/{camp(w, 'diagnostic', i)}/pending",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/aggregates",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/aggregates?level=territory",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/deficits",
        frozenset({"admin", "teacher", "leader", "methodologist"}),
        lambda w, i: f"/v1/campaigns/{camp(w, 'diagnostic', i)}/deficits",
    ),
    # Printable sheets of the anonymous links: whoever sees the links in the campaign's reads.
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/organizations/{organization_id}/sheet",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/organizations/{org(w, i)}/sheet",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/sheets",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/sheets",
    ),
    # A form service's export imported (a dry run by default): who manages the school's
    # campaigns, as for keying in paper questionnaires.
    Case(
        "surveys",
        "POST",
        "/v1/campaigns/{campaign_id}/organizations/{organization_id}/responses/import",
        AUTHORS | {"leader"},
        lambda w, i: (
            f"/v1/campaigns/{camp(w, 'parents', i)}/organizations/{org(w, i)}/responses/import"
        ),
        form=lambda w, i: {},
        file=("answers.csv", "Отметка времени;Ваши предложения по улучшению условий\n"),
    ),
    # Each caller's own personal links (teachers'; empty for everyone else).
    Case(
        "surveys", "GET", "/v1/me/invitations", EVERYONE, fixed("/v1/me/invitations"), scoped=False
    ),
    # Anonymous links need no account: anyone may answer, with or without credentials.
    Case(
        "surveys",
        "POST",
        "/v1/campaigns/{campaign_id}/responses",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/responses",
        body=lambda w, i: {"organization_id": org(w, True), "answers": nok_answers()},
        ok=201,
        scoped=False,
        public=True,
    ),
]
