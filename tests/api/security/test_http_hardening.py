"""Security headers on every kind of response, no-store where it matters, HSTS, the docs' own
policy, CORS from an allow-list, and the body-size limit."""

import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from infrastructure.settings import Settings
from interfaces.http.app import build_container, create_app
from tests.api.conftest import DATA_KEY, SECRET, Api, AppFactory

EVERYWHERE = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def assert_hardened(response: httpx.Response) -> None:
    for name, value in EVERYWHERE.items():
        assert response.headers[name] == value, name
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


async def test_headers_on_200_401_404_and_422(api: Api) -> None:
    responses = [
        await api.client.get("/health"),
        await api.client.get("/users/me"),
        await api.client.get("/no/such/page"),
        await api.register("not-an-email"),
    ]

    assert [r.status_code for r in responses] == [200, 401, 404, 422]
    for response in responses:
        assert_hardened(response)
        assert "cdn.jsdelivr.net" not in response.headers["content-security-policy"]


async def test_headers_and_the_request_id_on_a_500(caplog: pytest.LogCaptureFixture) -> None:
    container = build_container(Settings(database_url="memory://", secret_key=SECRET,
                                         data_key=DATA_KEY, demo_rooms=False))

    class Broken:
        async def execute(self) -> None:
            raise RuntimeError("boom")

    container.list_rooms.override(Broken())
    transport = httpx.ASGITransport(app=create_app(container), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        response = await client.get("/rooms", headers={"X-Request-ID": "req-500"})

    assert response.status_code == 500
    assert_hardened(response)
    assert response.headers["x-request-id"] == "req-500"
    [logged] = [r for r in caplog.records if r.name == "roomkey.http"]
    assert "req-500" in logged.getMessage()


@pytest.mark.parametrize(("path", "no_store"), [
    ("/auth/logout", True), ("/users/me", True), ("/admin/users", True), ("/rooms", False)])
async def test_no_store_on_auth_and_account_responses(api: Api, path: str, no_store: bool) -> None:
    method = "POST" if path.startswith("/auth/") else "GET"

    response = await api.client.request(method, path)

    assert (response.headers.get("cache-control") == "no-store") is no_store


async def test_hsts_only_with_secure_cookies(api_factory: AppFactory) -> None:
    secure = await api_factory(cookie_secure=True)
    plain = await api_factory(cookie_secure=False)

    assert "max-age=" in (await secure.client.get("/health")).headers["strict-transport-security"]
    assert "strict-transport-security" not in (await plain.client.get("/health")).headers


async def test_the_docs_get_a_policy_with_no_other_host_and_no_inline_script(api: Api) -> None:
    docs = await api.client.get("/docs")
    schema = await api.client.get("/openapi.json")

    assert docs.status_code == schema.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in
                  docs.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in docs.headers["content-security-policy"]
    assert schema.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_docs_pages_load_only_files_served_here(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        html = (await api.client.get(page)).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)

        assert sources and all(source.startswith("/docs/assets/") for source in sources), html
        assert "<script>" not in html
        for source in sources:
            assert (await api.client.get(source)).status_code == 200, source


async def test_the_docs_can_be_switched_off(api_factory: AppFactory) -> None:
    api = await api_factory(docs_enabled=False)

    statuses = [(await api.client.get(p)).status_code for p in ("/docs", "/openapi.json")]

    assert statuses == [404, 404]


def test_the_docs_are_off_in_production_unless_asked_for() -> None:
    production = {"env": "production", "secret_key": SECRET}

    assert Settings(**production).serves_docs is False  # type: ignore[arg-type]
    assert Settings(**production, docs_enabled=True).serves_docs is True  # type: ignore[arg-type]
    assert Settings().serves_docs is True


async def test_cors_answers_only_listed_origins_with_credentials(api_factory: AppFactory) -> None:
    api = await api_factory(cors_origins="https://app.example.com,https://admin.example.com")
    preflight = {"Access-Control-Request-Method": "POST"}

    listed = await api.client.options("/auth/login", headers=preflight | {
        "Origin": "https://app.example.com"})
    other = await api.client.get("/rooms", headers={"Origin": "https://evil.example.net"})

    assert listed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert listed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-origin" not in other.headers


def test_a_wildcard_cors_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="not '\\*'"):
        Settings(cors_origins="*")  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("login_limit_per_account", "ten a minute", "not a rate limit"),
    ("trusted_proxies", "not-an-address", "does not appear to be an IPv4 or IPv6 network"),
    ("redis_url", "http://127.0.0.1:6379", "redis://"),
])
def test_bad_abuse_settings_are_refused_at_start(name: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**{name: value})  # type: ignore[arg-type]


async def test_a_one_megabyte_body_is_413_at_once(api: Api) -> None:
    started = time.perf_counter()

    response = await api.client.post("/auth/register", content=b"{" + b" " * 1_000_000 + b"}",
                                     headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}
    assert_hardened(response)
    assert time.perf_counter() - started < 1.0


async def test_a_streamed_body_without_length_is_cut_at_the_limit(api: Api) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "'
        for _ in range(100):
            yield b"a" * 10_000

    response = await api.client.post("/auth/login", content=chunks(),
                                     headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}


async def test_a_body_within_the_limit_is_read_as_usual(api_factory: AppFactory) -> None:
    api = await api_factory(max_body_bytes=2048)

    fits = await api.register("e@example.com", "p" * 20 + "q9#")
    too_big = await api.client.post("/rooms", content=b"x" * 2049)

    assert (fits.status_code, too_big.status_code) == (201, 413)
