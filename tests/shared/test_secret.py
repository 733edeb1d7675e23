"""Outside the test environment no service accepts a token signed with the public default secret.

A stack started without SOKO_SECRET_KEY signs with the secret generated into its data folder;
someone who knows the default (it is in the source) cannot mint a service token or a user's.
"""

import uuid

import httpx
import pytest

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.identity import Principal, Role, issue_service_token, issue_user_token
from shared.settings import DEFAULT_SECRET, Settings

# Per service: a request a service token may make (the api resolves scopes for its peers).
PROBES = {
    "api": f"/v1/scopes/resolve?scope_type=territory&scope_id={uuid.uuid4()}",
    "surveys": "/v1/me",
    "reports": "/v1/me",
}
FACTORIES = {"api": create_api, "surveys": create_surveys, "reports": create_reports}
# What a token signed with the stack's own secret gets: proof that the probe can succeed.
ACCEPTED = {"api": 404, "surveys": 200, "reports": 200}


@pytest.fixture(scope="module")
def stack_settings(database_url, tmp_path_factory) -> Settings:
    """A development stack with no SOKO_SECRET_KEY: its secret comes from its data folder."""
    data_dir = tmp_path_factory.mktemp("soko-data")
    return Settings(environment="development", database_url=database_url, data_dir=data_dir)


def forged(kind: str) -> str:
    public = Settings(environment="test")  # signs with DEFAULT_SECRET
    assert public.secret_key.get_secret_value() == DEFAULT_SECRET
    if kind == "service":
        return issue_service_token(public, "reports")
    admin = Principal(kind="user", id=str(uuid.uuid4()), role=Role.admin)
    return issue_user_token(public, admin)


async def answer(settings: Settings, service: str, token: str) -> httpx.Response:
    app = FACTORIES[service](settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {"Authorization": f"Bearer {token}"}
            return await client.get(PROBES[service], headers=headers)


@pytest.mark.parametrize("service", sorted(PROBES))
async def test_a_token_of_the_stacks_own_secret_is_accepted(stack_settings, service):
    token = issue_service_token(stack_settings, "reports")
    assert (await answer(stack_settings, service, token)).status_code == ACCEPTED[service]


@pytest.mark.parametrize("kind", ["service", "user"])
@pytest.mark.parametrize("service", sorted(PROBES))
async def test_a_token_signed_with_the_public_default_is_refused(stack_settings, service, kind):
    response = await answer(stack_settings, service, forged(kind))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_forwarded_user_signed_with_the_default_is_refused(stack_settings):
    """A genuine service token cannot carry a forged user in X-Soko-User either."""
    app = create_reports(stack_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            headers = {
                "Authorization": f"Bearer {issue_service_token(stack_settings, 'surveys')}",
                "X-Soko-User": forged("user"),
            }
            response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize("service", sorted(PROBES))
async def test_the_same_forgery_passes_in_the_test_environment(settings, service):
    """The control: only the secret the stack signs with stops the forged token."""
    assert (await answer(settings, service, forged("service"))).status_code == ACCEPTED[service]
