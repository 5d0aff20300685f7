"""No reset or verification token and no password reaches a log line or a stored row, except
a token as its SHA-256 digest (SQLite: every table, every column, read back raw)."""

import hashlib
import logging
import sqlite3

import pytest

from tests.api.conftest import PASSWORD, AppFactory
from tests.api.mail_helpers import mail_api
from tests.mail_server import SmtpServer

NEW_PASSWORD = "quiet meadow lantern 42"
ALICE = "alice@example.com"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _every_stored_value(url: str) -> str:
    path = url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        values = [repr(value) for table in tables
                  for row in connection.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                  for value in row]
    return "\n".join(values)


async def test_no_token_or_password_is_logged_or_stored_readable(
    api_factory: AppFactory, running_smtp_server: SmtpServer, database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mail = await mail_api(api_factory, running_smtp_server)
    await mail.api.register(ALICE)
    verification = await mail.token_for(ALICE)
    await mail.request_reset(ALICE)
    # Read the reset token while its message is still pending, sealed, in the outbox.
    pending_rows = _every_stored_value(database_url)
    reset = await mail.token_for(ALICE)
    assert (await mail.verify(verification)).status_code == 200
    assert (await mail.confirm_reset(reset, NEW_PASSWORD)).status_code == 200
    await mail.deliver()

    stored = pending_rows + _every_stored_value(database_url)
    # aiosmtpd's DEBUG lines ("mail.log") are the receiving test server's, which of course sees
    # the message; every other line is Roomkey's or its libraries'.
    logged = "\n".join(f"{record.name} {record.getMessage()}" for record in caplog.records
                       if not record.name.startswith("mail.log"))
    for secret in (verification, reset, PASSWORD, NEW_PASSWORD):
        assert secret not in logged
        assert secret not in stored
    for token in (verification, reset):
        assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert "(password_reset) sent" in logged  # Roomkey's mail lines were captured
