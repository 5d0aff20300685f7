"""Liveness and readiness for load balancers and orchestrators; `/health` is readiness."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from application.errors import StorageUnavailable
from infrastructure.container import Container
from interfaces.http.dependencies import container

router = APIRouter(tags=["health"])

# A not-ready instance is usually back within seconds (a database failover, a migration).
RETRY_AFTER_SECONDS = "5"


@router.get("/health/live")
async def live() -> dict[str, str]:
    """200 while the process serves requests; says nothing of the database."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "Not ready to serve"}})
async def ready(request: Request) -> JSONResponse:
    """200 when the database answers, its schema is the one this code needs, and Redis (when
    configured) answers; otherwise 503 naming which check failed. Never names a host or URL."""
    checks = await _checks(container(request))
    if all(value == "ok" for value in checks.values()):
        return JSONResponse({"status": "ok", "checks": checks})
    return JSONResponse({"status": "unavailable", "checks": checks}, status_code=503,
                        headers={"Retry-After": RETRY_AFTER_SECONDS})


router.add_api_route("/health", ready, methods=["GET"], include_in_schema=False)


async def _checks(services: Container) -> dict[str, str]:
    database, redis = await asyncio.gather(services.database_ping(),
                                           services.rate_limiter().primary_answers())
    checks = {"database": "ok" if database else "unavailable",
              "schema": await _schema(services) if database else "unknown"}
    if services.rate_limiter().shared:
        checks["redis"] = "ok" if redis else "unavailable"
    return checks


async def _schema(services: Container) -> str:
    watch = services.schema_watch()
    if watch is None:
        return "ok"
    try:
        return str(await watch.state())
    except StorageUnavailable:
        return "unknown"
