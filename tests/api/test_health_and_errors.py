"""Health, request ids, and the error mapping's edge cases."""

import httpx
import pytest

from application.errors import StorageUnavailable
from infrastructure.settings import Settings
from interfaces.http.app import DOCS_TAG_ORDER, build_container, create_app
from tests.api.conftest import DATA_KEY, SECRET, Api


async def test_health_is_200_while_the_database_answers(api: Api) -> None:
    response = await api.client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_every_response_carries_a_request_id(api: Api) -> None:
    generated = await api.client.get("/health")
    echoed = await api.client.get("/health", headers={"X-Request-ID": "abc-123"})
    forged = await api.client.get("/health", headers={"X-Request-ID": "a\tb c"})

    assert len(generated.headers["x-request-id"]) == 32
    assert echoed.headers["x-request-id"] == "abc-123"
    assert forged.headers["x-request-id"] != "a\tb c"


def _unreachable_app() -> httpx.AsyncClient:
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
                        secret_key=SECRET, data_key=DATA_KEY, demo_rooms=False)
    app = create_app(build_container(settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver")


async def test_an_unreachable_database_is_503_not_500() -> None:
    async with _unreachable_app() as client:
        health = await client.get("/health")
        login = await client.post("/auth/login",
                                  json={"email": "a@example.com", "password": "whatever1"})
        rooms = await client.get("/rooms")

    assert health.status_code == 503
    assert login.status_code == 503
    assert rooms.status_code == 503
    assert rooms.json() == {"detail": StorageUnavailable.message}


async def test_an_unexpected_error_is_a_generic_500_without_a_stack_trace() -> None:
    container = build_container(Settings(database_url="memory://", secret_key=SECRET,
                                         data_key=DATA_KEY, demo_rooms=False))

    class Broken:
        async def execute(self) -> None:
            raise RuntimeError("secret internals")

    container.list_rooms.override(Broken())
    app = create_app(container)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.get("/rooms")

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "secret internals" not in response.text


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
async def test_the_docs_are_served(api: Api, path: str) -> None:
    assert (await api.client.get(path)).status_code == 200


async def test_the_docs_group_every_operation_under_a_tag_in_reading_order(api: Api) -> None:
    schema = (await api.client.get("/openapi.json")).json()
    used = {tag for operations in schema["paths"].values() for operation in operations.values()
            for tag in operation["tags"]}

    assert [tag["name"] for tag in schema["tags"]] == list(DOCS_TAG_ORDER)
    assert used == set(DOCS_TAG_ORDER)
    assert DOCS_TAG_ORDER[:2] == ("auth", "sessions")  # start where a client starts
