"""The API documentation every service serves (shared/docs.py): Swagger UI at /docs and ReDoc at
/redoc from the service's own assets (they work with no network), the OAuth2 password flow and
the API key in the OpenAPI documents, so that "Authorize" signs in, and the api's token endpoint
open to the peers' /docs (CORS)."""

import re
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from services.api.app import create_app as create_api
from services.surveys.app import create_app as create_surveys
from tests.factories import PASSWORD, committed_world
from tests.surveys.forms import CHROMIUM, CHROMIUM_ARGS, free_port, in_a_browser, served

SERVICES = ("api", "surveys", "reports")
# Any absolute URL: a page that names one loads something from another host.
ABSOLUTE_URL = re.compile(r"(?:https?:)?//[\w.-]+", re.IGNORECASE)
ASSET = re.compile(r'(?:src|href)="([^"]+)"')
RENDER_MS = 30_000  # a documentation page rendering on a busy machine (Swagger UI, ReDoc)


@pytest.fixture
def service_client(apps, isolation):
    """A client of the service named, in process."""

    def client(name: str) -> httpx.AsyncClient:
        app = getattr(apps, name)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")

    return client


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_nothing_from_another_host(service_client, service, page):
    async with service_client(service) as client:
        answer = await client.get(page)
        assert answer.status_code == 200
        assert ABSOLUTE_URL.findall(answer.text) == []
        assets = ASSET.findall(answer.text)
        # Swagger UI: its stylesheet, favicon and script; ReDoc: its favicon and script.
        assert len(assets) == (3 if page == "/docs" else 2), assets
        for asset in assets:
            assert asset.startswith("/docs-assets/")
            served_asset = await client.get(asset)
            assert served_asset.status_code == 200, asset
            assert len(served_asset.content) > 1000, asset  # the bundle, not an empty file
            assert b"cdn.redoc.ly" not in served_asset.content, asset  # ReDoc's logo


@pytest.mark.parametrize("service", SERVICES)
async def test_openapi_declares_sign_in_with_the_apis_token_endpoint(apps, settings, service):
    document = getattr(apps, service).openapi()
    schemes = document["components"]["securitySchemes"]
    password = schemes["OAuth2Password"]["flows"]["password"]
    # The api names its own path; the peers' Swagger UI posts to the api's address.
    expected = "/v1/auth/token" if service == "api" else "http://127.0.0.1:8000/v1/auth/token"
    assert password["tokenUrl"] == expected
    paths = document["paths"]
    assert "security" not in paths["/healthz"]["get"]
    me = paths["/v1/me"]["get"]["security"]
    if service == "api":
        # An organization's key says who it is at /v1/me, but cannot list users.
        assert schemes["ApiKey"] == {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": schemes["ApiKey"]["description"],
        }
        assert me == [{"OAuth2Password": []}, {"ApiKey": []}]
        assert paths["/v1/users"]["get"]["security"] == [{"OAuth2Password": []}]
        assert "security" not in paths["/v1/auth/token"]["post"]
    else:
        assert "ApiKey" not in schemes
        assert me == [{"OAuth2Password": []}]
    if service == "surveys":  # an anonymous answer needs no sign-in, an operator's has one
        submit = paths["/v1/campaigns/{campaign_id}/responses"]["post"]
        assert submit["security"] == [{}, {"OAuth2Password": []}]


async def test_the_token_endpoint_answers_the_peers_docs_across_origins(
    api_client, world, settings
):
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-requested-with",
    }
    # Swagger UI of the surveys service (its origin is SOKO_SURVEYS_URL's) asks first.
    asked = await api_client.options(
        "/v1/auth/token", headers={"Origin": "http://127.0.0.1:8001", **preflight}
    )
    assert asked.status_code == 200
    assert asked.headers["access-control-allow-origin"] == "http://127.0.0.1:8001"
    signed_in = await api_client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "admin@soko.example", "password": PASSWORD},
        headers={"Origin": "http://127.0.0.1:8002", "X-Requested-With": "XMLHttpRequest"},
    )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["access-control-allow-origin"] == "http://127.0.0.1:8002"
    # Another origin is refused, and the rest of the API stays closed to the peers' pages.
    elsewhere = await api_client.options(
        "/v1/auth/token", headers={"Origin": "http://elsewhere.example", **preflight}
    )
    assert elsewhere.status_code == 400
    assert "access-control-allow-origin" not in elsewhere.headers
    users = await api_client.get(
        "/v1/users", headers={"Origin": "http://127.0.0.1:8001", **world.headers("admin")}
    )
    assert users.status_code == 200
    assert "access-control-allow-origin" not in users.headers


async def test_cors_origins_of_the_settings_reach_the_token_endpoint_too(settings):
    app = create_api(settings.model_copy(update={"cors_origins": ["http://spa.example"]}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        headers = {"Access-Control-Request-Method": "POST"}
        for origin in ("http://spa.example", "http://127.0.0.1:8001"):
            asked = await c.options("/v1/auth/token", headers={"Origin": origin, **headers})
            assert asked.headers["access-control-allow-origin"] == origin
        # Elsewhere the configured CORS stands as it was: the SPA only.
        asked = await c.options("/v1/users", headers={"Origin": "http://spa.example", **headers})
        assert asked.headers["access-control-allow-origin"] == "http://spa.example"
        asked = await c.options("/v1/users", headers={"Origin": "http://127.0.0.1:8001", **headers})
        assert "access-control-allow-origin" not in asked.headers


@dataclass
class Seen:
    """What a page did that a user would see in the browser's console: its requests to
    another host (`elsewhere`), its console errors and uncaught exceptions (`errors`)."""

    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@asynccontextmanager
async def swagger_ui(playwright, local: tuple[str, ...]):
    """A desktop page of Debian's Chromium that may fetch from the `local` servers only, and
    what it did (`Seen`): what it tried to fetch elsewhere (answered with a network error),
    its console errors."""
    async with playwright.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            seen = Seen()
            elsewhere = seen.elsewhere
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))

            async def only_local(route) -> None:
                if route.request.url.startswith(tuple(f"{base}/" for base in local)):
                    await route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    await route.abort()

            await page.route("**/*", only_local)
            yield page, seen
        finally:
            await browser.close()


async def authorize_and_get_me(playwright, page, docs: str, email: str, operations: int):
    """On Swagger UI at `docs`: the operations are listed (more than `operations`), Authorize
    signs in with `email`'s password, and "Try it out" on GET /v1/me answers 200."""
    expect = playwright.expect
    await page.goto(docs)
    me = page.locator("#operations-auth-me_v1_me_get")
    await expect(me).to_be_visible()
    assert await page.locator(".opblock").count() > operations
    await page.locator("button.authorize").first.click()
    oauth = page.locator(".auth-container").filter(has_text="OAuth2Password")
    await oauth.locator("#oauth_username").fill(email)
    await oauth.locator("#oauth_password").fill(PASSWORD)
    await oauth.locator("button.authorize").click()
    # The token endpoint said 200:
    await expect(oauth).to_contain_text("Authorized", timeout=RENDER_MS)
    await page.locator(".modal-ux button.btn-done").first.click()
    await me.locator(".opblock-summary-control").click()
    await me.locator("button.try-out__btn").click()
    await me.locator("button.execute").click()
    status = me.locator(".live-responses-table td.response-col_status:not(.col_header)")
    await expect(status).to_have_text("200", timeout=RENDER_MS)
    return me.locator(".live-responses-table")


@in_a_browser
async def test_swagger_ui_signs_in_and_tries_get_me_offline(isolation, settings, playwright):
    world = await committed_world(isolation, settings)
    admin = world.users["admin"]
    async with served(create_api(settings)) as api, swagger_ui(playwright, (api,)) as (page, out):
        answer = await authorize_and_get_me(playwright, page, api + "/docs", admin.email, 50)
        await playwright.expect(answer).to_contain_text(admin.email, timeout=RENDER_MS)
        assert out.elsewhere == [] and out.errors == []


@in_a_browser
async def test_the_surveys_swagger_ui_signs_in_at_the_api(isolation, settings, playwright):
    """The surveys' page posts the password form to the api, another origin (CORS), and the
    token it gets works on the surveys service."""
    world = await committed_world(isolation, settings)
    api_port, surveys_port = free_port(), free_port()
    urls = {
        "api_url": f"http://127.0.0.1:{api_port}",
        "surveys_url": f"http://127.0.0.1:{surveys_port}",
    }
    both = settings.model_copy(update=urls)
    async with (
        served(create_api(both), api_port) as api,
        served(create_surveys(both), surveys_port) as surveys,
        swagger_ui(playwright, (api, surveys)) as (page, out),
    ):
        answer = await authorize_and_get_me(
            playwright, page, surveys + "/docs", world.users["admin"].email, 10
        )
        await playwright.expect(answer).to_contain_text('"role": "admin"', timeout=RENDER_MS)
        assert out.elsewhere == [] and out.errors == []


# A malformed request, one per service: a required field left out, a period that is none; one
# error each answer must carry (where, what it says).
MISSING = "не заполнено: поле обязательно"
MALFORMED = [
    (
        "api",
        "GET",
        "/v1/roadmaps?period=2022-13",
        None,
        (["query", "period"], "Период «2022-13»: месяц — от 01 до 12, указан 13"),
    ),
    ("api", "POST", "/v1/territories", {"kind": "municipality"}, (["body", "name"], MISSING)),
    ("surveys", "POST", "/v1/campaigns", {"period": "2022"}, (["body", "audience"], MISSING)),
    (
        "surveys",
        "POST",
        "/v1/campaigns",
        {"period": "осень 2022"},
        (
            ["body", "period"],
            "Период «осень 2022» не распознан: ожидается учебный год (2021/2022), год (2022), "
            "квартал (2022Q3) или месяц (2022-09)",
        ),
    ),
    ("reports", "GET", "/v1/indicator-values", None, (["query", "period"], MISSING)),
    (
        "reports",
        "GET",
        "/v1/indicator-values?period=2022Q5",
        None,
        (["query", "period"], "Период «2022Q5»: квартал — от 1 до 4, указан 5"),
    ),
]
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@pytest.mark.parametrize(("service", "method", "url", "body", "expected"), MALFORMED)
async def test_what_a_malformed_request_is_told_is_in_russian(
    service_client, world, service, method, url, body, expected
):
    async with service_client(service) as client:
        answer = await client.request(method, url, json=body, headers=world.headers("admin"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert expected in [(error["loc"], error["msg"]) for error in problem["errors"]], problem
    # No English slips through: pydantic's "Field required", "Input should be …".
    for message in [problem["detail"], *(error["msg"] for error in problem["errors"])]:
        assert CYRILLIC.search(message), message


# Russian names in English prose: quoted «Математика», "ЦНППМ", `Sn`, in parentheses (НОК
# УООД), or codes such as К1.
QUOTED = re.compile(r"«[^»]*»|\([^)]*\)|\"[^\"]*\"|`[^`]*`|\b[А-ЯЁ]{1,2}\d+\b")


def _russian(text: str | None) -> bool:
    return bool(text) and bool(CYRILLIC.search(QUOTED.sub("", text)))


@pytest.mark.parametrize("service", SERVICES)
async def test_the_api_is_documented_in_english(apps, service):
    """Developers read the OpenAPI document: its description, the operations' summaries and
    descriptions, their parameters and responses, the schemas' fields are English (Russian
    names may be quoted)."""
    document = getattr(apps, service).openapi()
    found = []
    if _russian(document["info"]["description"]):
        found.append("info")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            texts = [operation.get("summary"), operation.get("description")]
            texts += [p.get("description") for p in operation.get("parameters", [])]
            texts += [r.get("description") for r in operation["responses"].values()]
            found += [f"{method} {path}: {t}" for t in texts if _russian(t)]
    for name, schema in document["components"]["schemas"].items():
        found += [f"{name}: {t}" for t in _descriptions(schema) if _russian(t)]
    assert found == []


def _descriptions(schema: object) -> list[str]:
    """Every `description` in a JSON schema, nested ones too."""
    if isinstance(schema, list):
        return [text for item in schema for text in _descriptions(item)]
    if not isinstance(schema, dict):
        return []
    own = [schema["description"]] if isinstance(schema.get("description"), str) else []
    return own + [text for value in schema.values() for text in _descriptions(value)]


@in_a_browser
async def test_redoc_renders_and_asks_no_other_host(isolation, settings, playwright):
    # ReDoc's bundle shows its maker's logo from their CDN; the bundle served has it inline
    # (so nothing is even tried elsewhere, nothing refused in the console), and the
    # operations still render.
    async with served(create_api(settings)) as api, swagger_ui(playwright, (api,)) as (page, out):
        await page.goto(api + "/redoc")
        # ReDoc renders the whole document in the page's script: seconds on a busy machine.
        heading = page.locator("h1").first
        await playwright.expect(heading).to_contain_text("Soko", timeout=RENDER_MS)
        tags = page.locator("[data-section-id^='tag/']")
        await playwright.expect(tags.nth(5)).to_be_attached(timeout=RENDER_MS)  # more than 5
        # The sidebar's footer, where the logo was fetched from the CDN, has rendered.
        footer = page.get_by_text("API docs by Redocly")
        await playwright.expect(footer).to_be_visible(timeout=RENDER_MS)
        await page.wait_for_load_state("networkidle")
        assert out.elsewhere == [] and out.errors == []
