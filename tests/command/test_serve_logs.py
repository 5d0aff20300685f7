"""ROOMKEY_LOG_FORMAT=json and ROOMKEY_LOG_LEVEL, through `roomkey serve`."""

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.command.running import Served, serving
from tests.command.test_serve_edge import SECRET_KEY, send_head


@pytest.fixture(scope="module")
def json_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # A larger head limit too: the setting must reach the server's protocol.
    with serving(tmp_path_factory.mktemp("json"), database_url="memory://",
                 secret_key=SECRET_KEY, log_format="json", max_header_bytes="65536") as served:
        yield served


def json_lines(served: Served, request_id: str) -> list[dict[str, object]]:
    """Every line the server wrote, each parsed as JSON, once one names `request_id`."""
    deadline = time.monotonic() + 10
    while request_id not in served.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    return [json.loads(line) for line in served.output().splitlines()]


def test_json_logs_are_one_object_per_line_with_the_access_fields(json_server: Served) -> None:
    response = httpx.get(f"{json_server.base_url}/rooms", params={"token": "tok-SECRET-0e2c"},
                         headers={"X-Request-ID": "json-line-1", "X-Big": "e" * 40_000})

    lines = json_lines(json_server, "json-line-1")  # every line parses, start-up lines too

    assert response.status_code == 200
    [access] = [line for line in lines if line["request_id"] == "json-line-1"]
    assert {k: access[k] for k in ("level", "logger", "client", "method", "path", "status")} == {
        "level": "INFO", "logger": "roomkey.access", "client": "127.0.0.1", "method": "GET",
        "path": "/rooms", "status": 200}
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert datetime.fromisoformat(str(access["time"])).tzinfo is not None
    assert '"GET /rooms HTTP/1.1" 200' in str(access["message"])
    assert any(line["logger"] == "uvicorn.error" for line in lines)
    assert "tok-SECRET-0e2c" not in json_server.output()


def test_log_level_warning_drops_the_info_lines(tmp_path: Path) -> None:
    with serving(tmp_path, database_url="memory://", secret_key=SECRET_KEY,
                 log_level="WARNING") as served:
        httpx.get(f"{served.base_url}/rooms")
        send_head(served, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"f" * 20_000 + b"\r\n\r\n")
        time.sleep(0.5)
        output = served.output()

    assert "WARNING roomkey.http" in output  # the refused head
    assert " INFO " not in output
    assert "roomkey.access" not in output

