"""Settings read from the environment (prefix ``SOKO_``), shared by the three services."""

import ipaddress
import json
import os
import secrets
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AnyHttpUrl, Field, PositiveInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The public default: only the test environment signs with it (see _resolve_secret).
DEFAULT_SECRET = "dev-secret-change-me-before-production"  # noqa: S105
MIN_SECRET_BYTES = 32  # HS256 wants a key at least as long as its hash
SECRET_FILE = "secret"  # noqa: S105 - a file name in data_dir, written when no key is set

ServiceName = Literal["api", "surveys", "reports"]
MIB = 1024 * 1024


class Settings(BaseSettings):
    """What every service reads. Each field is documented in README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="SOKO_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Unset: the CLI starts an embedded PostgreSQL in `data_dir` and passes its URL on.
    database_url: str | None = None
    data_dir: Path = Path(".soko")
    # Empty: the test environment uses DEFAULT_SECRET, development the secret file in data_dir
    # (generated once), production refuses to start. Always set once the settings are built.
    secret_key: SecretStr = SecretStr("")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    host: str = "127.0.0.1"
    api_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    surveys_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8001")
    reports_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8002")
    # Processes per service under `soko serve` (and each service of `soko up`).
    workers: int = Field(default=1, ge=1)
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
    login_max_failures: int = 5  # per account within login_window_seconds
    # Per address: a school's staff sign in from one address (the school's NAT), a class at once.
    login_max_failures_per_address: int = 30
    login_window_seconds: int = 60
    scope_cache_seconds: float = 60.0
    # How long surveys and reports trust the api service's answer that a user's token still
    # stands (role, scope, staff link, password and activity unchanged); 0: ask every time.
    token_check_seconds: float = 5.0
    # Seconds between the rounds that send the surveys and reports services' audit entries the
    # api service did not take at once (shared/audit_outbox.py).
    audit_outbox_seconds: float = 5.0
    # Proxies whose X-Forwarded-For is believed (addresses or CIDR networks); empty: nobody's,
    # the address is the connecting peer's.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Submissions per minute from one address to anonymous survey links (abuse limit).
    anonymous_rate_per_minute: int = 60
    # Anonymous results are never shown for fewer respondents than this.
    disclosure_minimum: int = 5
    # What "today" is for deadlines and overdue activities.
    timezone: str = "Europe/Moscow"
    # Upload limits (README "Upload limits"): every upload is bounded while it is read.
    upload_max_bytes: PositiveInt = 20 * MIB  # one uploaded file; the request body + 1 MiB
    # A JSON body of a route that takes no bulk rows (bulk ones: upload_max_bytes + 1 MiB).
    json_max_bytes: PositiveInt = 4 * MIB
    upload_max_unpacked_bytes: PositiveInt = 100 * MIB  # parts of a .docx/.xlsx as inflated
    upload_max_parts: PositiveInt = 1_000  # parts of a .docx/.xlsx archive
    upload_max_xml_elements: PositiveInt = 500_000  # parsed whole (all but worksheets)
    upload_max_rows: PositiveInt = 20_000  # table rows and text lines of a file
    upload_max_cells: PositiveInt = 500_000  # table cells of a file
    upload_max_text_chars: PositiveInt = 100_000  # one cell, paragraph or line of text
    upload_max_paragraphs: PositiveInt = 20_000  # paragraphs of a .docx
    upload_max_tables: PositiveInt = 1_000  # tables of a .docx, nested ones included
    upload_max_xlsform_rows: PositiveInt = 5_000  # rows of one XLSForm sheet
    upload_parsers: PositiveInt = 2  # uploads parsed at once per app (worker threads)
    # Deletions stay in the change feeds this long; a cursor older than that gets 410.
    changes_retention_days: PositiveInt = 7
    # The reports service follows the api and surveys change feeds into its facts while it
    # runs (unset: except in the test environment, whose tests bring the facts up to date
    # themselves); a long poll waits this long for a change before asking again (seconds).
    follow_feeds: bool | None = None
    feed_wait_seconds: float = Field(default=25.0, ge=1, le=30)
    # Outliers among posted data values (services/api/outliers/, README "Data quality:
    # outliers"): a value is flagged when its modified z-score |M| exceeds the threshold, within
    # its territory's organizations (of at least so many values) and against its organization's
    # earlier periods (at least so many).
    outlier_threshold: float = Field(default=3.5, gt=0, le=1000)
    outlier_territory_min_values: int = Field(default=5, ge=3)
    outlier_history_min_periods: int = Field(default=3, ge=2)
    # What the reports' indicator values do with a flagged data value (an outlier flag, or a
    # value a broken validation rule reads; README "Data quality"): `mark` counts it and says
    # so (`flagged`), `skip` leaves it out of every pooled value (clusters, territories, the
    # shares of organizations); an organization's own value is shown either way, marked.
    flagged_values: Literal["mark", "skip"] = "mark"
    # Kept indicator values whose inputs changed are served while younger than this, and
    # recomputed after the answer; None: 1 s, but 0 (always before answering) in tests.
    values_max_age_seconds: float | None = Field(default=None, ge=0, le=60)

    @property
    def following_feeds(self) -> bool:
        """Whether the reports service follows the change feeds (`follow_feeds`)."""
        return self.follow_feeds if self.follow_feeds is not None else self.environment != "test"

    @property
    def values_max_age(self) -> float:
        """Seconds a changed indicator's kept values are still served (`values_max_age_seconds`)."""
        if self.values_max_age_seconds is not None:
            return self.values_max_age_seconds
        return 0.0 if self.environment == "test" else 1.0

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

    def aware(self, moment: datetime) -> datetime:
        """`moment` with its zone: one given without an offset is read as a time in
        `timezone` (what users see), one with an offset is returned as it is."""
        if moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=ZoneInfo(self.timezone))

    @model_validator(mode="after")
    def _resolve_secret(self) -> "Settings":
        """The secret tokens are signed with: configured, else (development) the one in the data
        folder, generated on first use; the public default only in the test environment."""
        secret = self.secret_key.get_secret_value()
        if self.environment == "test":
            self.secret_key = SecretStr(secret or DEFAULT_SECRET)
            return self
        if not secret:
            if self.environment == "production":
                raise ValueError("SOKO_SECRET_KEY must be set in production")
            secret = read_or_create_secret(self.data_dir / SECRET_FILE)
            self.secret_key = SecretStr(secret)
        if secret == DEFAULT_SECRET:
            raise ValueError("SOKO_SECRET_KEY is the public default: set a secret of your own")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SOKO_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long")
        return self

    def peer_url(self, name: ServiceName) -> str:
        """Base URL of a peer service, without a trailing slash."""
        url: AnyHttpUrl = getattr(self, f"{name}_url")
        return str(url).rstrip("/")


def read_or_create_secret(path: Path) -> str:
    """The secret kept in `path` (mode 600), generated there first if missing.

    Every process started from one data folder (`soko up` and its children, `soko serve`,
    `migrate`, `demo`) reads the same file. Processes starting at once may all try to create
    it: each writes a candidate and links it into place, which only one link can win, so all
    of them read the winner's secret and none ever reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            os.link(candidate, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            candidate.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        raise ValueError(f"{path} may be read by other users: chmod 600 {path}")
    secret = path.read_text().strip()
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"{path} holds no secret of {MIN_SECRET_BYTES}+ bytes: delete it")
    return secret


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
