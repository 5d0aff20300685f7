"""create_app(): the FastAPI application around one container. Nothing happens at import time."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from infrastructure.container import Container
from infrastructure.settings import Settings
from interfaces.http import (
    routes_auth,
    routes_bookings,
    routes_health,
    routes_rooms,
    routes_sessions,
    routes_users,
)
from interfaces.http.errors import install_error_handlers
from interfaces.http.request_id import RequestIdMiddleware

logger = logging.getLogger("roomkey")


def build_container(settings: Settings | None = None) -> Container:
    return Container(settings=settings or Settings())


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app. Tests pass a container whose providers they have overridden."""
    container = container or build_container()
    container.secret_key()  # fail fast on a missing production key, before serving anything
    app = FastAPI(title="Roomkey", version="0.1.0", lifespan=_lifespan,
                  description="Authentication and authorization for a booking service.")
    app.state.container = container
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app)
    for module in (routes_auth, routes_sessions, routes_users, routes_rooms, routes_bookings,
                   routes_health):
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    container: Container = app.state.container
    await bootstrap(container)
    try:
        yield
    finally:
        if container.backend() == "sql":
            await container.engine().dispose()
            reader = container.sqlite_reader()
            if reader is not None:
                reader.dispose()


async def bootstrap(container: Container) -> None:
    """Start-up data: the first admin from the environment, and demo rooms in development."""
    settings = container.settings()
    if settings.admin_email and settings.admin_password:
        result = await container.ensure_admin().execute(
            email=settings.admin_email, password=settings.admin_password.get_secret_value())
        if result.created:
            logger.info("created admin %s", result.user.email)
    if settings.seeds_demo_rooms:
        seeded = await container.seed_demo_rooms().execute()
        if seeded:
            logger.info("added %d demo rooms", len(seeded))
