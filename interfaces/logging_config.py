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
        "formatters": {
            "line": {"format": LINE},
            "access": {"()": "uvicorn.logging.AccessFormatter", "use_colors": False,
                       "fmt": LINE.replace("%(message)s", '%(client_addr)s "%(request_line)s" '
                                                         "%(status_code)s")},
        },
        "handlers": {
            "line": {"class": "logging.StreamHandler", "formatter": "line",
                     "filters": ["request_id"], "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access",
                       "filters": ["request_id"], "stream": "ext://sys.stdout"},
        },
        "root": {"handlers": ["line"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["line"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }
