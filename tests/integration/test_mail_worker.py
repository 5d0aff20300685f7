"""`roomkey mail-worker` as its own process: it sends what the app queued, stops on SIGTERM, and
refuses to start in production without a relay, in one line naming the setting."""

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from application.mail import MailKind, OutgoingMail
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.persistence.database import create_engine_for
from infrastructure.persistence.sql.unit_of_work import SqlUnitOfWork
from infrastructure.signing_keys import generate_key
from tests.databases import run_blocking
from tests.mail_server import SmtpServer, text_body

ROOMKEY = Path(sys.executable).parent / "roomkey"
SECRET = "worker-test-secret-key-long-enough-0123456789"


def _env(**variables: str) -> dict[str, str]:
    return {**os.environ, "ROOMKEY_SECRET_KEY": SECRET,
            **{f"ROOMKEY_{name.upper()}": value for name, value in variables.items()}}


def test_production_without_a_relay_refuses_to_start_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(  # the real command: its refusals are one line, no traceback
        [str(ROOMKEY), "mail-worker"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        check=False, env=_env(env="production", secret_key=generate_key(), smtp_url="",
                              data_key=base64.urlsafe_b64encode(os.urandom(32)).decode()))

    assert result.returncode == 2
    assert "ROOMKEY_SMTP_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


async def _queue_one(url: str) -> None:
    engine = create_engine_for(url)
    uow = SqlUnitOfWork(async_sessionmaker[AsyncSession](engine, expire_on_commit=False),
                        cipher=PayloadCipher.from_secret(SECRET))
    async with uow:
        await uow.outbox.add(OutgoingMail(MailKind.VERIFY_EMAIL, "alice@example.com",
                                          {"token": "tok123", "valid_for": "24 hours"}))
        await uow.commit()
    await engine.dispose()


def test_the_worker_sends_what_was_queued_and_stops_on_sigterm(
    sqlite_url: str, running_smtp_server: SmtpServer, tmp_path: Path,
) -> None:
    run_blocking(lambda: _queue_one(sqlite_url))

    worker = subprocess.Popen(
        [str(ROOMKEY), "mail-worker", "--interval", "0.2"], cwd=tmp_path,
        env=_env(database_url=sqlite_url, smtp_url=running_smtp_server.url),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not running_smtp_server.inbox.received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)

    assert worker.returncode == 0, err
    assert "mail worker stopped" in out
    [(recipients, message)] = running_smtp_server.inbox.received
    assert recipients == ["alice@example.com"]
    assert "/app/verify-email#token=tok123" in text_body(message)
