"""JSON logging with the request id of the request being served."""

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from shared.context import request_id_var

# Attributes every LogRecord has; anything else passed through `extra=` is logged as a field.
# uvicorn's `color_message` repeats `msg` with terminal colours.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",
}
# Libraries whose INFO lines repeat what our own logs say (each request, each Alembic plugin).
_QUIET_LOGGERS = ("httpx", "httpcore", "alembic", "asyncio")


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
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(service: str, level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """The logging set-up as a `logging.config.dictConfig` dictionary: the root logger (and
    uvicorn's) to stdout in the chosen format. uvicorn applies it in every worker process."""
    level = level.upper()
    formatter: dict[str, Any] = (
        {"()": JsonFormatter, "service": service}
        if fmt == "json"
        else {"format": f"%(asctime)s {service} %(levelname)s %(message)s"}
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
