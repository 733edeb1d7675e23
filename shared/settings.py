"""Settings read from the environment (prefix ``SOKO_``), one subclass per service."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AnyHttpUrl, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"  # noqa: S105 - refused outside development, see below

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

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        default_secret = self.secret_key.get_secret_value() == DEFAULT_SECRET
        if self.environment == "production" and default_secret:
            raise ValueError("SOKO_SECRET_KEY must be set to a real secret in production")
        return self

    def peer_url(self, name: ServiceName) -> str:
        """Base URL of a peer service, without a trailing slash."""
        url: AnyHttpUrl = getattr(self, f"{name}_url")
        return str(url).rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
