"""HTTP: /v1/reports/roadmaps/{id} and /v1/reports/organizations/{id}, as HTML or .xlsx."""

import re
import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response

from services.reports.deps import ScopeResolverDep, Surveys
from services.reports.documents import html, xlsx
from services.reports.documents.card import organization_card
from services.reports.documents.client import DocumentsApi, documents_api
from services.reports.documents.gather import Context, roadmap_report
from shared.db import SessionDep
from shared.errors import Invalid, NotFound, PeerUnavailable, Unauthorized, error_responses
from shared.identity import BrowserCaller
from shared.periods import Period, period_query
from shared.validation import ReportedDate

router = APIRouter(tags=["reports"])
HTML = "text/html; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESPONSES = {
    200: {
        "description": "The document: an HTML page to print or an .xlsx workbook",
        "content": {"text/html": {}, XLSX: {}},
    },
    **error_responses(Unauthorized, NotFound, Invalid, PeerUnavailable),
}
Format = Annotated[
    Literal["html", "xlsx"],
    Query(alias="format", description="html: a page to print; xlsx: tables"),
]
ReportPeriod = Annotated[
    Period | None,
    Depends(
        period_query(
            description="2021/2022, 2022, 2022Q3, 2022-09; by default the latest with data",
            required=False,
        )
    ),
]
AsOf = Annotated[
    ReportedDate | None, Query(description="The day overdue activities are counted at")
]


def context(
    request: Request,
    caller: BrowserCaller,
    session: SessionDep,
    api: Annotated[DocumentsApi, Depends(documents_api)],
    surveys: Surveys,
    scopes: ScopeResolverDep,
    approved_only: Annotated[
        bool,
        Query(
            description="true: published data only (data values their collection approved); "
            "false: the working data, every posted value"
        ),
    ] = False,
) -> Context:
    state = request.app.state
    settings = state.settings
    return Context(
        caller,
        scopes,
        api,
        surveys,
        session,
        settings.today(),
        settings.disclosure_minimum,
        state.analysis_thresholds,
        approved_only,
    )


ContextDep = Annotated[Context, Depends(context)]


def home(request: Request) -> str:
    """The api's home, where a person reading a document goes back to (their role's home)."""
    return str(request.app.state.settings.api_url).rstrip("/") + "/"


HomeDep = Annotated[str, Depends(home)]


def _ascii(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "report"


def document(body: str | bytes, fmt: str, ascii_name: str, name: str) -> Response:
    """The answer with its type and a file name (ASCII, plus the Russian one as filename*)."""
    extension = "xlsx" if fmt == "xlsx" else "html"
    disposition = "attachment" if fmt == "xlsx" else "inline"
    utf8 = quote(f"{name}.{extension}", safe="")
    headers = {
        "Content-Disposition": (
            f"{disposition}; filename=\"{_ascii(ascii_name)}.{extension}\"; filename*=UTF-8''{utf8}"
        ),
        "Cache-Control": "private, no-store",
    }
    return Response(body, media_type=XLSX if fmt == "xlsx" else HTML, headers=headers)


@router.get("/reports/roadmaps/{roadmap_id}", response_class=Response, responses=RESPONSES)
async def roadmap_document(
    roadmap_id: uuid.UUID,
    ctx: ContextDep,
    back: HomeDep,
    period: ReportPeriod,
    fmt: Format = "html",
    as_of: AsOf = None,
) -> Response:
    """The analytical report of a roadmap: passport, indicators against targets by school,
    cluster and territory, charts, execution of the activities, recommendations, decisions and
    their effect, data quality of the territory's collections. Period: the roadmap's by
    default, else the current academic year. `approved_only`: the published (approved) data,
    as the page says; by default the working data."""
    report = await roadmap_report(ctx, roadmap_id, period, as_of)
    body = (
        xlsx.roadmap_workbook(report)
        if fmt == "xlsx"
        else html.render_roadmap(report, ctx.today, back)
    )
    name = f"Отчёт по дорожной карте {report.title[:80]} {report.period}".replace("/", "-")
    ascii_name = f"roadmap-report-{report.period}-{str(roadmap_id)[:8]}"
    return document(body, fmt, ascii_name, name)


@router.get(
    "/reports/organizations/{organization_id}", response_class=Response, responses=RESPONSES
)
async def organization_document(
    organization_id: uuid.UUID,
    ctx: ContextDep,
    back: HomeDep,
    period: ReportPeriod,
    fmt: Format = "html",
    as_of: AsOf = None,
) -> Response:
    """A school's one-page report card: its indicators against targets, its independent
    quality evaluation (НОК УООД), the activities it is responsible for, its recommendations.
    Period: by default the latest with data. `approved_only`: the published (approved) data,
    as the page says; by default the working data."""
    card = await organization_card(ctx, organization_id, period, as_of)
    body = xlsx.card_workbook(card) if fmt == "xlsx" else html.render_card(card, ctx.today, back)
    name = f"Карточка ОО {card.name[:80]} {card.period}".replace("/", "-")
    ascii_name = f"organization-card-{card.period}-{str(organization_id)[:8]}"
    return document(body, fmt, ascii_name, name)
