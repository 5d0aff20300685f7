"""The app's background tasks start with it and are stopped before its pools close."""

import asyncio

import pytest

from infrastructure.container import Container
from infrastructure.settings import Settings
from interfaces.http import app as app_module
from interfaces.http.app import build_container, create_app
from tests.api.conftest import SECRET


async def test_background_tasks_run_while_the_app_serves_and_stop_before_the_pools_close(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    events: list[str] = []

    async def job() -> None:
        events.append("started")
        try:
            await asyncio.Event().wait()
        finally:
            events.append("stopped")

    def jobs(container: Container) -> list[tuple[str, app_module.Job]]:
        return [("test job", job)]

    close_storage = app_module.close_storage

    async def closing(container: Container) -> None:
        await close_storage(container)
        events.append("pools closed")

    monkeypatch.setattr(app_module, "background_jobs", jobs)
    monkeypatch.setattr(app_module, "close_storage", closing)
    app = create_app(build_container(Settings(database_url=sqlite_url, secret_key=SECRET,
                                              demo_rooms=False)))

    async with app.router.lifespan_context(app):
        await asyncio.sleep(0)
        assert events == ["started"]
        assert app.state.background.running == 1

    assert events == ["started", "stopped", "pools closed"]
