"""A real SMTP server for the tests: aiosmtpd on a free local port, plain or STARTTLS + AUTH
with a certificate from a throw-away CA made in the test (trustme)."""

import email
import email.policy
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "relay-user"
SMTP_PASSWORD = "relay-secret-pass"
_TOKEN = re.compile(r"#token=([A-Za-z0-9_\-]+)")


@dataclass
class Inbox:
    """What the server accepted, in order: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]

    def token_for(self, address: str) -> str:
        """The token in the link of the newest mail to `address`."""
        messages = self.to(address)
        assert messages, f"no mail to {address}: {[r for r, _ in self.received]}"
        found = _TOKEN.search(text_body(messages[-1]))
        assert found, text_body(messages[-1])
        return found.group(1)


def text_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                  data: Any) -> AuthResult:
    ok = (isinstance(data, LoginPassword) and data.login == SMTP_USER.encode()
          and data.password == SMTP_PASSWORD.encode())
    return AuthResult(success=ok)


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox
    url: str
    client_tls: ssl.SSLContext | None = None
    _controller: Controller | None = None
    _options: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                      **self._options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain relay, as on localhost; not started, for the tests that start it late."""
    port = free_port()
    server = SmtpServer(port=port, inbox=Inbox(), url=f"smtp://127.0.0.1:{port}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def running_smtp_server(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.start()
    return smtp_server


@pytest.fixture(scope="session")
def test_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def smtp_tls_server(test_ca: trustme.CA) -> Iterator[SmtpServer]:
    """A relay that requires STARTTLS before anything, and AUTH after it."""
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    test_ca.configure_trust(client_tls)
    port = free_port()
    server = SmtpServer(
        port=port, inbox=Inbox(), client_tls=client_tls,
        url=f"smtp+starttls://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}",
        _options={"tls_context": server_tls, "require_starttls": True, "auth_required": True,
                  "auth_require_tls": True, "authenticator": _authenticate})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtps_server(test_ca: trustme.CA) -> Iterator[SmtpServer]:
    """A relay that speaks TLS from the first byte (port 465 style)."""
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    test_ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    test_ca.configure_trust(client_tls)
    port = free_port()
    server = SmtpServer(port=port, inbox=Inbox(), client_tls=client_tls,
                        url=f"smtps://127.0.0.1:{port}", _options={"ssl_context": server_tls})
    server.start()
    try:
        yield server
    finally:
        server.stop()
