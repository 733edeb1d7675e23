"""Settings come from SOKO_ variables; a default secret is refused in production."""

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from shared.db import async_url
from shared.settings import Settings


def test_default_secret_is_refused_in_production():
    with pytest.raises(ValidationError, match="SOKO_SECRET_KEY"):
        Settings(environment="production")


def test_settings_read_soko_variables(monkeypatch):
    monkeypatch.setenv("SOKO_DATABASE_URL", "postgresql://u:p@db:5432/soko")
    monkeypatch.setenv("SOKO_SURVEYS_URL", "http://surveys:8001/")
    settings = Settings()
    assert settings.database_url == "postgresql://u:p@db:5432/soko"
    assert settings.peer_url("surveys") == "http://surveys:8001"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+psycopg://u@h:5433/db", "postgresql+asyncpg://u@h:5433/db"),
    ],
)
def test_any_postgres_url_is_driven_by_asyncpg(given, expected):
    assert async_url(given) == expected


def test_a_unix_socket_url_keeps_its_socket_folder():
    url = make_url(async_url("postgresql://postgres:@/soko?host=/run/soko/sock"))
    assert url.drivername == "postgresql+asyncpg"
    assert url.database == "soko" and url.query["host"] == "/run/soko/sock"


def test_a_database_other_than_postgresql_is_refused():
    with pytest.raises(ValueError, match="PostgreSQL only"):
        async_url("sqlite:///soko.db")
