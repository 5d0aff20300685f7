"""Logging for the server and the command line: every line carries the request id."""

from typing import Any

LINE = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig for logging.config and uvicorn alike; uvicorn's own loggers included."""
    request_id = {"()": "interfaces.http.request_id.RequestIdLogFilter"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": request_id},
        # uvicorn's access lines too: its message already reads `client - "request line" status`.
        # Its AccessFormatter would only add colours, after copying each record, on every request.
        "formatters": {"line": {"format": LINE}},
        "handlers": {
            "line": {"class": "logging.StreamHandler", "formatter": "line",
                     "filters": ["request_id"], "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "line",
                       "filters": ["request_id"], "stream": "ext://sys.stdout"},
        },
        "root": {"handlers": ["line"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["line"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }
