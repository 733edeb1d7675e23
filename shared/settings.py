"""Settings read from the environment (prefix ``SOKO_``), shared by the three services."""

import ipaddress
import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AnyHttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    access_token_minutes: int = 30
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: SecretStr | None = None
    # Origins of browser clients (an external SPA) allowed by CORS, e.g. ["https://spa.example"].
    cors_origins: list[str] = []
    login_max_failures: int = 5  # per account and per address within login_window_seconds
    login_window_seconds: int = 60
    scope_cache_seconds: float = 60.0
    # How long surveys and reports trust the api service's answer that a user's token still
    # stands (role, scope, staff link, password and activity unchanged); 0: ask every time.
    token_check_seconds: float = 5.0
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR networks); empty: nobody's,
    # the address is the connecting peer's.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Submissions per minute from one address to anonymous survey links (abuse limit).
    anonymous_rate_per_minute: int = 60
    # Anonymous results are never shown for fewer respondents than this.
    disclosure_minimum: int = 5
    # What "today" is for deadlines and overdue activities.
    timezone: str = "Europe/Moscow"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        """Accept `10.0.0.1,10.1.0.0/16` or a JSON list; each must be an address or network."""
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        proxies = [str(item).strip() for item in value if str(item).strip()]
        for proxy in proxies:
            ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad entry
        return proxies

    def proxy_options(self) -> dict[str, Any]:
        """uvicorn's options for forwarded headers: believed only from `trusted_proxies`."""
        if not self.trusted_proxies:
            return {"proxy_headers": False}
        return {"proxy_headers": True, "forwarded_allow_ips": list(self.trusted_proxies)}

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
