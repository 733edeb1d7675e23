"""Settings come from SOKO_ variables; the public default secret is refused outside tests."""

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from shared.db import async_url
from shared.settings import DEFAULT_SECRET, SECRET_FILE, Settings


def test_default_secret_is_refused_in_production():
    with pytest.raises(ValidationError, match="SOKO_SECRET_KEY"):
        Settings(environment="production", secret_key=DEFAULT_SECRET)


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


def test_production_without_a_secret_refuses_to_start(tmp_path):
    with pytest.raises(ValidationError, match="SOKO_SECRET_KEY must be set"):
        Settings(environment="production", data_dir=tmp_path)
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize("secret", [DEFAULT_SECRET, "short-secret", " "])
def test_the_public_default_or_a_short_secret_is_refused_outside_test(environment, secret):
    with pytest.raises(ValidationError, match="SOKO_SECRET_KEY"):
        Settings(environment=environment, secret_key=secret)


def test_the_test_environment_signs_with_the_public_default(tmp_path):
    settings = Settings(environment="test", data_dir=tmp_path)
    assert settings.secret_key.get_secret_value() == DEFAULT_SECRET
    assert not (tmp_path / SECRET_FILE).exists()


def test_development_without_a_secret_generates_one_into_the_data_folder(tmp_path):
    data_dir = tmp_path / "data"  # not there yet: created with the file
    first = Settings(environment="development", data_dir=data_dir).secret_key.get_secret_value()
    path = data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first
    assert first != DEFAULT_SECRET and len(first) >= 32
    again = Settings(environment="development", data_dir=data_dir).secret_key.get_secret_value()
    assert again == first
    other = Settings(environment="development", data_dir=tmp_path / "other")
    assert other.secret_key.get_secret_value() != first


def test_a_configured_secret_wins_over_the_file_and_writes_none(tmp_path):
    own = "a-configured-secret-of-at-least-32-bytes"
    settings = Settings(environment="development", data_dir=tmp_path, secret_key=own)
    assert settings.secret_key.get_secret_value() == own
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize(
    ("mode", "content", "message"),
    [
        (0o644, "x" * 64, "other users"),
        (0o600, "too-short\n", "no secret"),
        (0o600, "", "no secret"),
    ],
)
def test_a_secret_file_others_may_read_or_too_short_is_refused(tmp_path, mode, content, message):
    path = tmp_path / SECRET_FILE
    path.write_text(content)
    path.chmod(mode)
    with pytest.raises(ValidationError, match=message):
        Settings(environment="development", data_dir=tmp_path)


def test_processes_starting_at_once_agree_on_one_secret(tmp_path):
    """What `soko up` and its three children (or uvicorn's workers) do on a first start."""
    env = {k: v for k, v in os.environ.items() if k != "SOKO_SECRET_KEY"}
    env |= {"SOKO_ENVIRONMENT": "development", "SOKO_DATA_DIR": str(tmp_path)}
    code = "from shared.settings import Settings; print(Settings().secret_key.get_secret_value())"
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    secrets = {p.communicate(timeout=60)[0].strip() for p in processes}
    assert all(p.returncode == 0 for p in processes)
    assert secrets == {(tmp_path / SECRET_FILE).read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]  # no candidate left behind


def test_outlier_checks_are_set_by_soko_outlier_variables(monkeypatch):
    def checks() -> tuple:
        s = Settings()
        return (s.outlier_threshold, s.outlier_territory_min_values, s.outlier_history_min_periods)

    assert checks() == (3.5, 5, 3)
    monkeypatch.setenv("SOKO_OUTLIER_THRESHOLD", "5")
    monkeypatch.setenv("SOKO_OUTLIER_TERRITORY_MIN_VALUES", "8")
    monkeypatch.setenv("SOKO_OUTLIER_HISTORY_MIN_PERIODS", "4")
    assert checks() == (5.0, 8, 4)
    monkeypatch.setenv("SOKO_OUTLIER_THRESHOLD", "0")
    with pytest.raises(ValidationError, match="outlier_threshold"):
        Settings()
    monkeypatch.setenv("SOKO_OUTLIER_THRESHOLD", "3.5")
    monkeypatch.setenv("SOKO_OUTLIER_HISTORY_MIN_PERIODS", "1")
    with pytest.raises(ValidationError, match="outlier_history_min_periods"):
        Settings()


def test_every_setting_is_in_the_readme_configuration_table():
    """CONTRIBUTING: a new setting goes into shared/settings.py and README's Configuration
    table; a reader configuring Soko finds every `SOKO_…` variable there."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `(SOKO_[A-Z0-9_]+)` \|", table, flags=re.MULTILINE))
    settings = {f"SOKO_{name.upper()}" for name in Settings.model_fields}
    assert sorted(settings - listed) == []
