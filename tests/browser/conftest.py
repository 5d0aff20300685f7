"""Debian's Chromium driven by Playwright against Roomkey served by uvicorn on a free port.

One browser process for the whole run; each test gets its own context (cookies, storage), whose
console errors, uncaught exceptions and CSP violations fail the test. Screenshots of each page go
to ROOMKEY_TEST_SCREENSHOTS (default tests/browser/screenshots/, ignored by git)."""

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from infrastructure.hashing import PasslibPasswordHasher
from infrastructure.settings import Settings
from interfaces.http.app import build_container, create_app
from tests.api.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, DATA_KEY, PASSWORD, SECRET

CHROMIUM_VARIABLE = "ROOMKEY_TEST_CHROMIUM"
REQUIRE_BROWSER_VARIABLE = "ROOMKEY_TEST_REQUIRE_BROWSER"
SCREENSHOTS_VARIABLE = "ROOMKEY_TEST_SCREENSHOTS"
# Chromium as CI runs it: no sandbox (root in a container), and no traffic of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# What Chromium prints for an HTTP error answer to a fetch: expected where a test provokes it.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")
# Catches violations in every page and frame; Playwright's init scripts are exempt from the CSP.
CSP_WATCH = """document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`));"""


def _browser_unavailable(reason: str) -> None:
    # CI sets the variable so that a missing browser fails loudly instead of skipping.
    if os.environ.get(REQUIRE_BROWSER_VARIABLE) == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# Package scope: one browser for every test here, stopped before the rest of the suite runs,
# since the sync API keeps its own event loop marked as running in this thread while it lives.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    executable = os.environ.get(CHROMIUM_VARIABLE, "/usr/bin/chromium")
    if not Path(executable).exists():
        _browser_unavailable(f"no Chromium at {executable}: `apt-get install chromium` "
                             f"or set {CHROMIUM_VARIABLE}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_VARIABLE, Path(__file__).parent / "screenshots"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder.resolve()


class Server:
    """Roomkey on 127.0.0.1 and a free port, in a thread, with demo rooms and an admin; the
    links it writes (in mail) point at it."""

    def __init__(self, **overrides: object) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        options: dict[str, object] = {
            "database_url": "memory://", "secret_key": SECRET, "data_key": DATA_KEY,
            "public_url": self.url,
            "cookie_secure": False,
            "admin_email": ADMIN_EMAIL, "admin_password": ADMIN_PASSWORD, "demo_rooms": True,
            # Every browser is 127.0.0.1: the per-address limits are not under test here.
            "login_limit_per_ip": "1000/minute", "register_limit_per_ip": "1000/minute",
            "refresh_limit_per_ip": "1000/minute",
            # No mail leaves unless a test asks (test_mail_pages sets a relay and an interval).
            "mail_dispatch_interval": 0,
        }
        container = build_container(Settings(**(options | overrides)))  # type: ignore[arg-type]
        container.hasher.override(PasslibPasswordHasher(argon2_memory_cost=8, argon2_time_cost=1))
        self._server = uvicorn.Server(uvicorn.Config(create_app(container), log_level="warning",
                                                     lifespan="on"))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def __enter__(self) -> "Server":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def register(self, email: str, password: str = PASSWORD) -> None:
        with self.client() as client:
            response = client.post("/auth/register", json={"email": email, "password": password})
            assert response.status_code == 201, response.text

    def bearer(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """Headers that act as `email` without any cookie (to check what the browser did)."""
        with self.client() as client:
            response = client.post("/auth/token", data={"username": email, "password": password})
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def admin(self) -> dict[str, str]:
        return self.bearer(ADMIN_EMAIL, ADMIN_PASSWORD)

    def get(self, path: str, headers: dict[str, str]) -> Any:
        with self.client() as client:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    with Server() as served:
        yield served


@dataclass
class Watch:
    """What a context's pages logged that they should not have."""

    expected_statuses: set[int] = field(default_factory=lambda: {401})
    tolerated: list[re.Pattern[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        failed_load = FAILED_LOAD.match(message.text)
        if failed_load and int(failed_load.group(1)) in self.expected_statuses:
            return
        if any(pattern.search(message.text) for pattern in self.tolerated):
            return
        self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def expect(self, *statuses: int) -> None:
        """The test provokes these error answers; Chromium logs each one it sees."""
        self.expected_statuses.update(statuses)

    def tolerate(self, pattern: str) -> None:
        """A console error the test provokes on purpose (from a page that is not the app's)."""
        self.tolerated.append(re.compile(pattern))


@dataclass
class Browsing:
    browser: Any
    context: Any
    watch: Watch
    folder: Path
    base_url: str
    shots: int = 0
    devices: list[Any] = field(default_factory=list)

    def page(self) -> Any:
        return self.context.new_page()

    def other_device(self) -> Any:
        """A second context (its own cookie jar): another device of the same user."""
        context = _watched_context(self.browser, self.base_url, self.watch)
        self.devices.append(context)
        return context.new_page()

    def shoot(self, page: Any, name: str, *, full_page: bool = True) -> None:
        self.shots += 1
        page.screenshot(path=str(self.folder / f"{self.shots:02d}-{name}.png"),
                        full_page=full_page)

    def sign_in(self, page: Any, email: str, password: str = PASSWORD) -> None:
        page.goto(f"{self.base_url}/app/sign-in")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")
        page.get_by_text(email, exact=True).wait_for()


@pytest.fixture
def browsing(browser: Any, server: Server, screenshots: Path,
             request: pytest.FixtureRequest) -> Iterator[Browsing]:
    yield from _browsing(browser, server.url, screenshots, request)


def _browsing(browser: Any, base_url: str, screenshots: Path,
              request: pytest.FixtureRequest) -> Iterator[Browsing]:
    watch = Watch()
    folder = screenshots / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir()
    browsing = Browsing(browser=browser, context=_watched_context(browser, base_url, watch),
                        watch=watch, folder=folder, base_url=base_url)
    try:
        yield browsing
    finally:
        for context in [browsing.context, *browsing.devices]:
            for page in context.pages:  # the last state of every tab, for a failure's sake
                browsing.shoot(page, "at-the-end", full_page=False)
            context.close()
    assert not watch.problems, watch.problems


def _watched_context(browser: Any, base_url: str, watch: Watch) -> Any:
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(10_000)
    context.on("console", watch.console)
    context.on("weberror", lambda error: watch.problems.append(f"uncaught: {error.error}"))
    context.expose_binding("__cspViolation",
                           lambda source, text: watch.problems.append(f"CSP: {text}"))
    context.add_init_script(CSP_WATCH)
    return context


def pytest_terminal_summary(terminalreporter: Any) -> None:
    folder = os.environ.get(SCREENSHOTS_VARIABLE, Path(__file__).parent / "screenshots")
    if Path(folder).is_dir():
        terminalreporter.write_line(f"browser screenshots: {Path(folder).resolve()}")
