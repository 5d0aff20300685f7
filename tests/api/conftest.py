"""The real app over httpx, on each backend and with either JWT library."""

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from infrastructure.container import Container
from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.persistence.memory import MemoryStore
from infrastructure.settings import Settings
from interfaces.http.app import build_container, create_app
from interfaces.http.cookies import CSRF_HEADER, CookieNames, cookie_names
from tests.fakes import FakeClock

SECRET = "test-secret-key-that-is-long-enough-0123456789"
# 32 bytes, base64url: the key that encrypts TOTP secrets at rest.
DATA_KEY = "dGVzdC1kYXRhLWtleS10aGlydHktdHdvLWJ5dGVzISE="
ADMIN_EMAIL = "admin@roomkey.test"
ADMIN_PASSWORD = "keeper-of-the-keys-1"
PASSWORD = "correct horse battery"


@dataclass
class Api:
    client: httpx.AsyncClient
    clock: FakeClock
    container: Container

    async def register(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post("/auth/register", json={"email": email, "password": password})

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post("/auth/login", json={"email": email, "password": password})

    @property
    def cookie_names(self) -> CookieNames:
        """The session cookies' names: prefixed with Secure cookies, plain without."""
        return cookie_names(self.container.settings().secure_cookies)

    def csrf(self) -> dict[str, str]:
        """The double-submit header a browser page sends with cookie-authenticated writes."""
        return {CSRF_HEADER: self.client.cookies.get(self.cookie_names.csrf) or ""}

    async def bearer_for(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """Register (if new) and log in; the headers authenticate without any cookie."""
        await self.register(email, password)
        response = await self.login(email, password)
        assert response.status_code == 200, response.text
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def admin(self) -> dict[str, str]:
        return await self.bearer_for(ADMIN_EMAIL, ADMIN_PASSWORD)

    async def room(self, quantity: int = 1, price: int = 100) -> str:
        response = await self.client.post(
            "/rooms", headers=await self.admin(),
            json={"name": "Room", "description": "", "price": price, "quantity": quantity})
        assert response.status_code == 201, response.text
        room_id: str = response.json()["id"]
        return room_id


AppFactory = Callable[..., Awaitable[Api]]


def set_cookie(response: httpx.Response, name: str) -> str:
    """The Set-Cookie header that sets `name` (a response may set several cookies)."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def _backends() -> list[object]:
    return ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def jwt_library() -> str:
    """python-jose, the design's library; modules about tokens use `both_jwt_libraries`."""
    return "jose"


@pytest.fixture(params=["jose", "pyjwt"])
def both_jwt_libraries(request: pytest.FixtureRequest) -> str:
    """Override `jwt_library` with this in a module to run it with either library."""
    library: str = request.param
    return library


@pytest.fixture
async def api_factory(database_url: str, jwt_library: str) -> AsyncIterator[AppFactory]:
    """Builds apps over one database; call it twice for two instances sharing the data."""
    async with _Apps(database_url, jwt_library) as apps:
        yield apps.new


@pytest.fixture
async def api(api_factory: AppFactory) -> Api:
    return await api_factory()


class _Apps:
    def __init__(self, database_url: str, jwt_library: str) -> None:
        self._database_url = database_url
        self._jwt_library = jwt_library
        self._exits: list[Callable[[], Awaitable[object]]] = []
        # Apps over memory:// share one store, as apps over one SQL database share its data.
        self._memory_store = MemoryStore()

    async def new(self, **overrides: object) -> Api:
        options: dict[str, object] = {
            "database_url": self._database_url, "secret_key": SECRET, "data_key": DATA_KEY,
            "jwt_library": self._jwt_library, "demo_rooms": False, "cookie_secure": True,
            "admin_email": ADMIN_EMAIL, "admin_password": ADMIN_PASSWORD,
        }
        container = build_container(Settings(**(options | overrides)))  # type: ignore[arg-type]
        clock = FakeClock()
        container.clock.override(clock)
        container.memory_store.override(self._memory_store)
        # Real adapter, cheap parameters: the suite stays fast and still runs real argon2id.
        container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
        app = create_app(container)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="https://testserver")
        self._exits += [client.aclose, lambda: lifespan.__aexit__(None, None, None)]
        return Api(client=client, clock=clock, container=container)

    async def __aenter__(self) -> "_Apps":
        return self

    async def __aexit__(self, *exc: object) -> None:
        for exit_ in reversed(self._exits):
            await exit_()
