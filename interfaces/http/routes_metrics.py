"""GET /metrics: the Prometheus text format, behind a bearer token when one is configured."""

import contextlib
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response

from application.errors import NotAuthenticated, StorageUnavailable
from infrastructure.container import Container
from infrastructure.metrics import CONTENT_TYPE, PrometheusMetrics
from infrastructure.persistence.postgresql.reader import PostgresReader
from interfaces.http.dependencies import container

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}}}, 401: {}})
async def metrics(request: Request) -> Response:
    """Requests, logins, throttling, hashing, sessions and connections, for Prometheus."""
    resolved = container(request)
    _check_token(request, resolved)
    measured = resolved.metrics()
    if measured is None:  # not reached: create_app includes this route only with metrics on
        return Response(status_code=404)
    await _refresh_gauges(resolved, measured)
    return Response(measured.exposition(), media_type=CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})


def _check_token(request: Request, resolved: Container) -> None:
    expected = resolved.settings().metrics_token
    if expected is None or not expected.get_secret_value():  # empty is as good as unset
        return
    given = request.headers.get("authorization", "").encode()
    wanted = f"Bearer {expected.get_secret_value()}".encode()
    if not hmac.compare_digest(given, wanted):
        raise NotAuthenticated()


async def _refresh_gauges(resolved: Container, measured: PrometheusMetrics) -> None:
    """The gauges read at scrape time. A database that does not answer leaves the session count
    as it was: the rest of the metrics matter most exactly then."""
    with contextlib.suppress(StorageUnavailable):
        measured.active_sessions.set(await resolved.count_active_sessions().execute())
    if resolved.backend() == "sql":
        reader = resolved.reader()
        if isinstance(reader, PostgresReader):
            measured.connections_in_use.labels("asyncpg").set(reader.connections_in_use())
