"""Browsers get protective headers; CORS lets in the configured SPA origin and no other."""

import httpx

from services.surveys.app import create_app as create_surveys


async def test_responses_carry_security_headers(api_client):
    answer = await api_client.get("/v1/no-such-path")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    # Swagger UI starts with an inline script (its assets are ours), so /docs is not under the CSP.
    docs = await api_client.get("/docs")
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers


def form_action(answer: httpx.Response) -> str:
    policy = answer.headers["content-security-policy"]
    return next(d for d in policy.split("; ") if d.startswith("form-action ")).removeprefix(
        "form-action "
    )


async def test_form_action_names_only_the_services_the_forms_lead_to(
    api_client, surveys_client, reports_client, settings
):
    """The api's sign-in sends a person back to the surveys' or reports' page (a 303 after
    the post, which Chromium checks against `form-action`): the api names those two origins
    and no other; the surveys' and reports' forms stay on their own origin."""
    peers = [settings.peer_url(name) for name in ("surveys", "reports")]
    assert form_action(await api_client.get("/")) == " ".join(["'self'", *peers])
    assert form_action(await surveys_client.get("/v1/no-such-path")) == "'self'"
    assert form_action(await reports_client.get("/v1/no-such-path")) == "'self'"


async def test_cors_admits_configured_origins_only(settings):
    app = create_surveys(settings.model_copy(update={"cors_origins": ["https://spa.example"]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        preflight = {
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        }
        allowed = await client.options(
            "/v1/me", headers={"Origin": "https://spa.example", **preflight}
        )
        other = await client.options(
            "/v1/me", headers={"Origin": "https://evil.example", **preflight}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://spa.example"
    assert "access-control-allow-origin" not in other.headers
