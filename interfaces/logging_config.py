"""Logging for the server and the command line: every line carries the request id."""

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

LINE = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
ACCESS_LOGGER = "roomkey.access"
# The access line's arguments, in order (see EdgeMiddleware): positional, since a mapping
# costs the line a tenth more, and it is written for every request.
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status", "duration_ms")

LogFormat = Literal["text", "json"]


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line, for log shippers: time, level, logger, message, request id,
    the fields of an access line (client, method, path, status, duration_ms), a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple):
            line.update(zip(ACCESS_FIELDS, record.args, strict=True))
            duration = line["duration_ms"]
            if isinstance(duration, float):
                line["duration_ms"] = round(duration, 3)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def logging_config(level: str = "info", log_format: LogFormat = "text") -> dict[str, Any]:
    """A dictConfig for logging.config and uvicorn alike; uvicorn's own loggers included."""
    request_id = {"()": "interfaces.http.request_id.RequestIdLogFilter"}
    # The plain formatter: uvicorn's colouring formatters copy every record, on every request.
    formatter: dict[str, str] = (
        {"()": "interfaces.logging_config.JsonLineFormatter"} if log_format == "json"
        else {"format": LINE})
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": request_id},
        "formatters": {"line": formatter},
        "handlers": {
            "line": {"class": "logging.StreamHandler", "formatter": "line",
                     "filters": ["request_id"], "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "line",
                       "filters": ["request_id"], "stream": "ext://sys.stdout"},
        },
        "root": {"handlers": ["line"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["line"], "level": level, "propagate": False},
            # EdgeMiddleware writes the access line, with the path and never the query string
            # (where a client may put a password or a token). uvicorn's, which has the query,
            # is off: with no handler to reach, uvicorn does not even build it.
            "uvicorn.access": {"handlers": [], "propagate": False},
            ACCESS_LOGGER: {"handlers": ["access"], "level": level, "propagate": False},
        },
    }
