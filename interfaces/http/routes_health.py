"""GET /health: 200 while the database answers, 503 when it doesn't."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from interfaces.http.dependencies import container

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"description": "The database does not answer"}})
async def health(request: Request) -> JSONResponse:
    if await container(request).database_ping():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable", "detail": "Database unavailable"},
                        status_code=503)
