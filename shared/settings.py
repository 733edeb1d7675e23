"""Settings read from the environment (prefix ``SOKO_``), shared by the three services."""

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import AnyHttpUrl, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Long enough for HS256 (32+ bytes); refused in production, see below.
DEFAULT_SECRET = "dev-secret-change-me-before-production"  # noqa: S105

ServiceName = Literal["api", "surveys", "reports"]


class Settings(BaseSettings):
    """What every service reads. Each field is documented in README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="SOKO_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Unset: the CLI starts an embedded PostgreSQL in `data_dir` and passes its URL on.
    database_url: str | None = None
    data_dir: Path = Path(".soko")
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    host: str = "127.0.0.1"
    api_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    surveys_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8001")
    reports_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8002")
    http_timeout_seconds: float = 10.0
    http_retries: int = 2
    db_pool_size: int = 10
    # How long a request waits for a free connection of the pool before it answers 503.
    db_pool_timeout_seconds: float = 30.0
    access_token_minutes: int = 30
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: SecretStr | None = None
    # Origins of browser clients (an external SPA) allowed by CORS, e.g. ["https://spa.example"].
    cors_origins: list[str] = []
    login_max_failures: int = 5  # per account and per address within login_window_seconds
    login_window_seconds: int = 60
    scope_cache_seconds: float = 60.0
    # Submissions per minute from one address to anonymous survey links (abuse limit).
    anonymous_rate_per_minute: int = 60
    # Anonymous results are never shown for fewer respondents than this.
    disclosure_minimum: int = 5
    # What "today" is for deadlines and overdue activities.
    timezone: str = "Europe/Moscow"

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.timezone)).date()

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (secret == DEFAULT_SECRET or len(secret) < 32):
            raise ValueError("SOKO_SECRET_KEY must be a real secret of 32+ bytes in production")
        return self

    def peer_url(self, name: ServiceName) -> str:
        """Base URL of a peer service, without a trailing slash."""
        url: AnyHttpUrl = getattr(self, f"{name}_url")
        return str(url).rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
