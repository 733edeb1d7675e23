"""JSON logging with the request id of the request being served, and what logs never hold.

No log line names a request's path (a school's anonymous form is `/s/<its code>`, a teacher's
personal link too) or a statement's parameters (anonymous answers, ids, days): requests are
named by their route template (`route_of`: `POST /s/{code}`), calls to peers by the shape of
their path (`path_shape`: `/v1/campaigns/{}/aggregates`), the engines hide parameters
(`hide_parameters`), and a logged exception's text is stripped of what the database driver
quotes of a parameter (`redact`: asyncpg's "invalid input for query argument $3: [value]").
"""

import json
import logging
import logging.config
import re
from datetime import UTC, datetime
from typing import Any

from starlette.types import Scope

from shared.context import request_id_var

UNMATCHED = "(no route)"
# A path segment kept by `path_shape`: a word of the API (`data-values`) or its version.
_WORD_SEGMENT = re.compile(r"^(?:[a-z][a-z_-]*|v[0-9]+)$")
# asyncpg quotes the value it could not encode; SQLAlchemy repeats every parameter unless the
# engine hides them (ours do; this catches any other engine's too).
_QUOTED_PARAMETER = re.compile(r"(query argument \$\d+:).*")
_PARAMETERS_LINE = re.compile(r"^\[parameters: .*$", re.MULTILINE)

# Attributes every LogRecord has; anything else passed through `extra=` is logged as a field.
# uvicorn's `color_message` repeats `msg` with terminal colours.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",
}
# Libraries whose INFO lines repeat what our own logs say (each request, each Alembic plugin).
_QUIET_LOGGERS = ("httpx", "httpcore", "alembic", "asyncio")


def route_of(scope: Scope) -> str:
    """The template of the route that served the request (`/v1/campaigns/{campaign_id}`), the
    mount's prefix for static files (`/s/static/{path}`), or "(no route)"."""
    # FastAPI keeps a router included with a prefix as it was declared; the route as served
    # (prefix and all) is its "effective route context". Without one: the route itself.
    effective = scope.get("fastapi", {}).get("effective_route_context")
    for route in (effective, scope.get("route")):
        if template := getattr(route, "path_format", None):
            return template
    mounted = scope.get("root_path", "")[len(scope.get("app_root_path", "")) :]
    return f"{mounted}/{{path}}" if mounted else UNMATCHED


def path_shape(path: str) -> str:
    """A concrete path (of a call to a peer) with every segment that is not a word of the API
    replaced by `{}`: `/v1/campaigns/9f3e.../aggregates` → `/v1/campaigns/{}/aggregates`. No id,
    code or query reaches a log through it."""
    segments = path.split("?", 1)[0].split("/")
    return "/".join(s if not s or _WORD_SEGMENT.match(s) else "{}" for s in segments)


def redact(text: str) -> str:
    """A formatted exception without the parameter values a database driver quotes in it."""
    return _PARAMETERS_LINE.sub("[parameters hidden]", _QUOTED_PARAMETER.sub(r"\1 (hidden)", text))


class TextFormatter(logging.Formatter):
    """`SOKO_LOG_FORMAT=text`: one line per record (and its traceback, redacted)."""

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(service: str, level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """The logging set-up as a `logging.config.dictConfig` dictionary: the root logger (and
    uvicorn's) to stdout in the chosen format. uvicorn applies it in every worker process."""
    level = level.upper()
    formatter: dict[str, Any] = (
        {"()": JsonFormatter, "service": service}
        if fmt == "json"
        else {"()": TextFormatter, "fmt": f"%(asctime)s {service} %(levelname)s %(message)s"}
    )
    quiet = max(logging.WARNING, logging.getLevelName(level))
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"soko": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "soko",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Our middleware logs every request with its id; uvicorn's access line would repeat it.
            "uvicorn.access": {"handlers": [], "propagate": False},
            **{name: {"level": logging.getLevelName(quiet)} for name in _QUIET_LOGGERS},
        },
    }


def configure_logging(service: str, level: str = "INFO", fmt: str = "json") -> None:
    """Route the root logger (and uvicorn's) to stdout in the chosen format."""
    logging.config.dictConfig(logging_config(service, level, fmt))
