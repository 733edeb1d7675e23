"""HTTP: responses, aggregates and personal diagnostic results of a campaign."""

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.surveys.campaigns.service import ensure_member, manages, readable_campaign
from services.surveys.deps import (
    AnonymousLimit,
    Api,
    DefinitionsDep,
    MaybeCaller,
    ReadableCampaign,
    ScopeResolverDep,
    SettingsDep,
    ValidCampaign,
)
from services.surveys.instruments.question_types.free import MAX_TEXT
from services.surveys.responses import aggregates, deficits, service
from services.surveys.responses.imports import ImportMapping, ResponseImport, ResponseImporter
from services.surveys.responses.models import IdempotencyKeys
from services.surveys.responses.schemas import ResponseCreated, ResponseIn
from shared.bulk_http import import_uploaded
from shared.context import client_address_var
from shared.db import SessionDep
from shared.docs import OAUTH2
from shared.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, error_responses
from shared.idempotency import idempotent
from shared.identity import Caller, Principal, Role, allowed, gate
from shared.json_body import held_to
from shared.numbers import file_size
from shared.uploads import UploadLimitsDep, UploadTooLarge, read_upload
from shared.validation_messages import russian_message

router = APIRouter(tags=["responses"])
# Answers come from anyone with the link: a body is read no further than 4 × MAX_BODY, so
# that one just past MAX_BODY is still parsed and told at its question (`too_large`).
MAX_BODY = 64 * 1024  # bytes of a submission's JSON
submissions = APIRouter(tags=["responses"], route_class=held_to(4 * MAX_BODY))
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict, TooManyRequests)
SUBMIT_ERRORS = error_responses(
    Forbidden, NotFound, Invalid, Conflict, TooManyRequests, UploadTooLarge
)
IMPORT_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict, UploadTooLarge)
# Whose keys an anonymous answer's Idempotency-Key is kept under: nobody's, not even the
# operator's who keyed in a paper questionnaire.
# Anonymous answers need no sign-in; a teacher's or an operator's are signed in (OpenAPI).
OPTIONAL_SIGN_IN = [{}, {OAUTH2.scheme_name: []}]
ANONYMOUS = Principal(kind="anonymous", id="-", role=Role.viewer)


def too_large(body: ResponseIn) -> Invalid:
    """A submission past MAX_BODY: named at its longest text answer when that one is longer
    than a text answer may be (`loc ["body", "answers", code]`, the limit said), so that a
    form shows it at the question; else at the body."""
    texts = [(len(v), code) for code, v in body.answers.items() if isinstance(v, str)]
    length, code = max(texts, default=(0, ""))
    if length > MAX_TEXT:
        return Invalid.at(
            ["answers", code],
            f"Слишком большой ответ: не длиннее {MAX_TEXT} символов (получено {length})",
            kind="too_long",
        )
    return Invalid.at([], f"Слишком большой ответ: не больше {file_size(MAX_BODY, space=' ')}")


@submissions.post(
    "/campaigns/{campaign_id}/responses",
    status_code=201,
    response_model=ResponseCreated,
    responses=SUBMIT_ERRORS,
    openapi_extra={"security": OPTIONAL_SIGN_IN},
)
async def submit_response(
    body: ResponseIn,
    request: Request,
    session: SessionDep,
    caller: MaybeCaller,
    campaign: ValidCampaign,
    settings: SettingsDep,
    scopes: ScopeResolverDep,
    limit: AnonymousLimit,
    definitions: DefinitionsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> ResponseCreated | JSONResponse:
    """An answer to the campaign: anonymous campaigns need no account (`organization_id`);
    personal ones the teacher's own token (`staff_id`). 422 names the question.

    Public submissions are limited per address (429 with Retry-After, shared by all the
    service's processes); someone who manages the organization's campaigns (an administrator,
    or an analyst, methodologist or leader whose scope holds it) keys in paper questionnaires
    without that limit, stored with `channel` "paper" and, like every anonymous answer,
    without anyone's identity."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise too_large(body)
    admission = await service.admit(
        session,
        campaign,
        caller,
        scopes,
        limit,
        client_address_var.get(),
        staff_id=body.staff_id,
        organization_id=body.organization_id,
    )

    async def run() -> ResponseCreated:
        response = await service.submit(
            session,
            campaign,
            definitions=definitions,
            organization_id=body.organization_id,
            answers=body.answers,
            invitation=admission.invitation,
            draft=body.draft,
            today=settings.today(),
            channel=admission.channel,
        )
        return ResponseCreated(id=response.id, status=response.status, channel=response.channel)

    # An anonymous answer's key is kept under nobody: the key itself tells retries apart.
    principal = ANONYMOUS if admission.anonymous or caller is None else caller
    return await idempotent(
        session, IdempotencyKeys, request, principal, idempotency_key, raw, run, 201
    )


@router.get("/campaigns/{campaign_id}/aggregates", responses=ERRORS)
async def campaign_aggregates(
    campaign_id: uuid.UUID,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
    settings: SettingsDep,
    level: Literal["organization", "cluster", "territory"] = "organization",
    organization_id: Annotated[
        uuid.UUID | None, Query(description="This organization only")
    ] = None,
    public: Annotated[
        bool,
        Query(
            description="Hide totals as for a reader without access to personal results: small "
            "groups, the totals of a campaign still running (for documents and recommendations)"
        ),
    ] = False,
) -> dict[str, Any]:
    """Per scope of the level: `n` (respondents), `expected` (null with the Russian
    `expected_unknown` when a school's is unknown), `response_rate`, `suppressed`, `reason`;
    per question `n`, counts of each answer, `mean`, `positive_share`; per competence
    (diagnostics) `n`, `with_deficit`, `deficit_share`, `mean_score_share` (shares in percent),
    `suppressed`, `reason`.

    A competence of a scope shown is withheld (`suppressed: true`, `reason:
    "individual_results"`, its `n` only, the rest null) from those who may not read personal
    results when fewer than two of its teachers have the deficit or fewer than two do not
    (100 %, 0 %, 4 of 5: whoever knows their own result would learn the others'), or a
    difference of shown figures would give such a part away. From them every question of a
    diagnostic is withheld so (`individual_results`, its `n` only): a test item's counts say
    how many chose its correct option.

    A withheld scope (`suppressed: true`) shows its `n`, `expected` and `response_rate` and
    nothing else (`questions` and `competences` empty). `reason`: `minimum` for fewer
    respondents than the disclosure minimum, `difference` where a difference of shown figures
    would give a withheld group away (in anonymous campaigns for everyone; in identified ones
    for all but the readers of personal results: the school's leader, the territory's
    methodologists, administrators, unless `public`); `campaign_open`: every scope of a
    campaign (anonymous: for everyone; identified: for those same readers) while it takes
    answers and for a minute after it closes. `organization_id` not in the campaign: 404 naming
    it («… не участвует в этой кампании»; «Организация не найдена» outside the caller's scope,
    as for no such school)."""
    return await aggregates.campaign_aggregates(
        session,
        caller,
        scopes,
        api,
        campaign_id,
        level=level,
        organization_id=organization_id,
        minimum=settings.disclosure_minimum,
        public=public,
    )


@router.get(
    "/campaigns/{campaign_id}/deficits",
    responses=ERRORS,
    dependencies=[gate(deficits.ensure_results_reader)],
)
async def campaign_deficits(
    found: ReadableCampaign,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    api: Api,
    definitions: DefinitionsDep,
    organization_id: Annotated[uuid.UUID | None, Query()] = None,
) -> dict[str, Any]:
    """Personal results: competence scores and deficits per staff member. Only the teacher
    (their own), the school's leader and the territory's methodologists; every read is
    recorded in the audit log. `organization_id` not in the campaign: 404 as for the
    aggregates."""
    campaign, _ = found
    items = await deficits.personal(
        session, caller, scopes, api, campaign, organization_id, definitions
    )
    return {"campaign_id": str(campaign.id), "items": items, "total": len(items)}


@router.post(
    "/campaigns/{campaign_id}/organizations/{organization_id}/responses/import",
    response_model=ResponseImport,
    responses=IMPORT_ERRORS,
    dependencies=[allowed(*ResponseImporter.writers)],
)
async def import_responses(
    campaign_id: uuid.UUID,
    organization_id: uuid.UUID,
    file: Annotated[
        UploadFile,
        File(
            description="A Yandex Forms or Google Forms export (.csv, .xlsx): a header row of "
            "question texts, then a row per respondent"
        ),
    ],
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    settings: SettingsDep,
    definitions: DefinitionsDep,
    limits: UploadLimitsDep,
    request: Request,
    mapping: Annotated[
        str | None,
        Form(
            max_length=200_000,
            description="An ImportMapping as JSON; without it, the one proposed by the texts",
        ),
    ] = None,
    dry_run: Annotated[
        bool, Query(description="Check and show what would be stored, storing nothing")
    ] = True,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> ResponseImport | JSONResponse:
    """Responses of one school of an anonymous campaign from a form service's export, each
    row checked as a web submission and stored with `channel` "import"; a dry run by default
    (`dry_run=false` stores). The answer: `imported` (rows stored, or that would be),
    `unchanged` (rows imported before: the same file twice stores nothing twice), `rejected`
    (each refused row with its reasons, naming row and column), `warnings` (columns left
    out: the export's time and number columns are never read), `mapping` (the columns'
    questions and the answer texts' values used: correct it and send it back), `rows` (each
    taken row's answers).

    Who: someone who manages the school's campaigns (an administrator, or an analyst,
    methodologist or leader whose scope holds it; 403 otherwise, 404 for a school the caller
    does not see in the campaign). 422 for an identified campaign or a bad mapping, 409
    outside the campaign's window, 413/422 past the upload limits (README "Upload limits")."""
    campaign, _ = await readable_campaign(session, caller, scopes, campaign_id)
    await ensure_member(session, caller, scopes, campaign, organization_id, where="path")
    if not await manages(caller, scopes, organization_id):
        raise Forbidden("Загружать ответы может тот, кто ведёт анкетирование этой организации")
    if not campaign.anonymous:
        raise Invalid.at(
            "campaign_id", "Загрузка ответов — только для анонимных кампаний", where="path"
        )
    service.ensure_open(campaign)
    try:
        given = ImportMapping.model_validate_json(mapping) if mapping else ImportMapping()
    except ValidationError as exc:
        said = russian_message(exc.errors()[0])
        raise Invalid.at("mapping", f"Сопоставление не читается: {said}", where="form") from None
    importer = ResponseImporter(
        session,
        caller,
        campaign,
        organization_id,
        definitions,
        await definitions.get(session, campaign.instrument_version_id),
        today=settings.today(),
        given=given,
    )
    return await import_uploaded(
        session,
        importer,
        await read_upload(file, limits),
        dry_run=dry_run,
        request=request,
        idempotency_key=idempotency_key,
        form={"mapping": mapping or ""},
        answer=lambda summary: ResponseImport(
            **summary.model_dump(), mapping=importer.used, rows=importer.rows()
        ),
    )


router.include_router(submissions)  # after its route is declared: include copies the routes
