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
