"""The API documentation pages every service serves itself: Swagger UI at /docs, ReDoc at
/redoc, with no asset from another host (they work offline), and the security schemes of the
OpenAPI document that make Swagger UI's "Authorize" sign in.

The assets are those the `fastapi-offline` package ships (Swagger UI 5 and ReDoc 2 bundles,
refreshed with each release), mounted at `/docs-assets`; only its files are used, the apps stay
plain FastAPI apps built by `shared.app.build_app`.

Sign-in is OAuth2's password flow against the api service's `POST /v1/auth/token` (a form with
`username` and `password`): the api's own document names it by path, the surveys' and reports'
by the api's absolute URL (`SOKO_API_URL`), which a browser on their /docs must reach; the api
answers that one endpoint's CORS requests from their origins (`TokenCORSMiddleware`).
"""

from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.headers import API_KEY_HEADER, REQUEST_ID_HEADER
from shared.settings import Settings

TOKEN_PATH = "/v1/auth/token"  # noqa: S105 (a path, not a secret)
DOCS_ASSETS = "/docs-assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"

# The schemes as dependencies: they only read the headers (auto_error=False), the principal
# dependencies of shared.identity and services.api.auth.deps decide; FastAPI lists them in the
# OpenAPI document under components.securitySchemes and each operation's `security`.
OAUTH2 = OAuth2PasswordBearer(
    tokenUrl=TOKEN_PATH,
    scheme_name="OAuth2Password",
    description="Sign in with a Soko account's email (username) and password; the token is "
    "sent as `Authorization: Bearer …`.",
    auto_error=False,
)
API_KEY = APIKeyHeader(
    name=API_KEY_HEADER,
    scheme_name="ApiKey",
    description="An organization's API key (school information systems): accepted by the api "
    "service only, for the operations that list this scheme.",
    auto_error=False,
)


# ReDoc's bundle renders its maker's logo from their CDN in the sidebar's footer, and no option
# turns that off: the bundle served is the package's with that address replaced by an empty
# image inline (`data:`), so the page asks no other host and logs no refused request.
REDOC_BUNDLE = "redoc.standalone.js"
REDOC_OFFLINE = "redoc.offline.js"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
)

REDOC_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'"
)


@cache
def redoc_offline() -> bytes:
    """The package's ReDoc bundle with its CDN logo replaced by an empty inline image.
    RuntimeError when the bundle no longer names that logo (a new ReDoc: look again)."""
    bundle = (files("fastapi_offline") / "static" / REDOC_BUNDLE).read_text(encoding="utf-8")
    if REDOC_LOGO not in bundle:
        raise RuntimeError(f"{REDOC_BUNDLE} no longer names {REDOC_LOGO}: check its requests")
    return bundle.replace(REDOC_LOGO, EMPTY_IMAGE).encode("utf-8")


def install_docs(app: FastAPI) -> None:
    """Serve /docs (Swagger UI), /docs/oauth2-redirect and /redoc from this app's own assets
    (`/docs-assets`; ReDoc's bundle patched, `redoc_offline`). The app must be made with
    `docs_url=None, redoc_url=None`."""
    title = app.title

    # Before the assets' mount, which would otherwise answer under the same prefix.
    @app.get(f"{DOCS_ASSETS}/{REDOC_OFFLINE}", include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(
            redoc_offline(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    static = StaticFiles(directory=str(files("fastapi_offline") / "static"))
    app.mount(DOCS_ASSETS, static, name="docs-assets")

    def page(
        request: Request, render: Any, name: str, assets: dict[str, str], **options: Any
    ) -> HTMLResponse:
        """`render` (FastAPI's page of Swagger UI or ReDoc) with the OpenAPI document's and
        the `assets`' paths (file names by argument) under the app's root path."""
        root = request.scope.get("root_path", "")
        urls = {argument: f"{root}{DOCS_ASSETS}/{file}" for argument, file in assets.items()}
        return render(
            openapi_url=f"{root}{app.openapi_url}", title=f"{title}: {name}", **urls, **options
        )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        assets = {
            "swagger_js_url": "swagger-ui-bundle.js",
            "swagger_css_url": "swagger-ui.css",
            "swagger_favicon_url": "favicon.png",
        }
        redirect = request.scope.get("root_path", "") + OAUTH2_REDIRECT
        # persistAuthorization: the token survives a reload (kept in the browser's storage).
        parameters = {"persistAuthorization": True}
        return page(
            request,
            get_swagger_ui_html,
            "Swagger UI",
            assets,
            oauth2_redirect_url=redirect,
            swagger_ui_parameters=parameters,
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        assets = {"redoc_js_url": REDOC_OFFLINE, "redoc_favicon_url": "favicon.png"}
        answer = page(request, get_redoc_html, "ReDoc", assets, with_google_fonts=False)
        # ReDoc's page has no inline script: the policy keeps anything else from leaving.
        answer.headers["Content-Security-Policy"] = REDOC_CSP
        return answer


def token_url(settings: Settings, service: str) -> str:
    """Where Swagger UI of `service` posts the password form: the api's own path on the api,
    the api's absolute URL elsewhere."""
    return TOKEN_PATH if service == "api" else settings.peer_url("api") + TOKEN_PATH


def point_token_url(document: dict[str, Any], url: str) -> None:
    """Set the password flow's token URL in an OpenAPI document that declares the scheme."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    if (scheme := schemes.get(OAUTH2.scheme_name)) is not None:
        scheme["flows"]["password"]["tokenUrl"] = url


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a browser sends it in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class TokenCORSMiddleware:
    """CORS for `POST /v1/auth/token` alone, from the origins given (the surveys and reports
    services', whose /docs sign in there, and `SOKO_CORS_ORIGINS`); every other request goes on
    to `app` as it came. Placed outside the app's general CORS middleware: it answers the token
    path's preflights itself, so that one from a peer's origin is not refused there."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["POST", "OPTIONS"],
            # Swagger UI's token request adds X-Requested-With.
            allow_headers=["Authorization", "Content-Type", "X-Requested-With"],
            expose_headers=[REQUEST_ID_HEADER],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == TOKEN_PATH:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
