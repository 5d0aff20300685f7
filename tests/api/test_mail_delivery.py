"""Delivery through the outbox: a relay that is down, STARTTLS + AUTH, retries that run out,
the dispatcher inside the app, the development mailer, and production's refusal."""

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from infrastructure.container import Container
from infrastructure.mail.transports import SmtpMailer, SmtpRelay
from infrastructure.settings import ConfigurationError, Settings
from interfaces.http.app import build_container, create_app
from tests.api.conftest import DATA_KEY, SECRET, AppFactory
from tests.api.mail_helpers import mail_api
from tests.mail_server import SmtpServer

ALICE = "alice@example.com"


async def test_with_the_relay_down_the_api_answers_and_the_mail_waits_until_it_is_up(
    api_factory: AppFactory, smtp_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, smtp_server)  # nothing listens on the port yet

    registered = await mail.api.register(ALICE)

    assert registered.status_code == 201
    assert await mail.deliver() == 0
    admin = await mail.api.admin()
    pending = (await mail.client.get("/admin/outbox?status=pending", headers=admin)).json()
    assert [(e["recipient"], e["kind"], e["attempts"]) for e in pending] == [
        (ALICE, "verify_email", 1)]
    assert pending[0]["last_error"]
    smtp_server.start()
    assert await mail.deliver() == 0  # not due again before its back-off
    mail.api.clock.advance(timedelta(minutes=1))
    assert await mail.deliver() == 1
    assert await mail.deliver() == 0
    mail.api.clock.advance(timedelta(hours=3))
    assert await mail.deliver() == 0
    assert len(mail.inbox.to(ALICE)) == 1
    admin = await mail.api.admin()  # the first token expired meanwhile
    sent = (await mail.client.get("/admin/outbox?status=sent", headers=admin)).json()
    assert [e["recipient"] for e in sent] == [ALICE]
    assert sent[0]["sent_at"] is not None


async def test_after_the_last_attempt_the_message_is_failed_logged_and_listed(
    api_factory: AppFactory, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture,
) -> None:
    mail = await mail_api(api_factory, smtp_server, mail_max_attempts=3)
    await mail.api.register(ALICE)

    with caplog.at_level(logging.WARNING, logger="roomkey.mail"):
        for _ in range(4):
            await mail.deliver()
            mail.api.clock.advance(timedelta(hours=3))

    admin = await mail.api.admin()
    failed = (await mail.client.get("/admin/outbox?status=failed", headers=admin)).json()
    assert [(e["recipient"], e["attempts"]) for e in failed] == [(ALICE, 3)]
    assert any("failed after 3 attempts" in r.getMessage() for r in caplog.records)
    assert (await mail.client.get("/admin/outbox?status=pending", headers=admin)).json() == []
    assert (await mail.client.get("/admin/outbox?status=bogus", headers=admin)).status_code == 422


async def test_only_admins_see_the_outbox(api_factory: AppFactory) -> None:
    api = await api_factory()
    bearer = await api.bearer_for(ALICE)

    assert (await api.client.get("/admin/outbox", headers=bearer)).status_code == 403
    assert (await api.client.get("/admin/outbox")).status_code == 401


async def test_starttls_and_auth_deliver_the_verification_mail(
    api_factory: AppFactory, smtp_tls_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, smtp_tls_server)
    container: Container = mail.api.container
    relay = SmtpRelay.parse(smtp_tls_server.url)
    assert relay.username and relay.password and relay.scheme == "smtp+starttls"
    container.mailer.override(SmtpMailer(container.mail_composer(), relay,
                                         tls_context=smtp_tls_server.client_tls))
    await mail.api.register(ALICE)

    token = await mail.token_for(ALICE)

    assert (await mail.verify(token)).status_code == 200


async def test_starttls_required_is_never_skipped_for_plain_text(
    api_factory: AppFactory, running_smtp_server: SmtpServer,
) -> None:
    """A relay that offers no STARTTLS gets no mail from an smtp+starttls:// URL."""
    url = f"smtp+starttls://127.0.0.1:{running_smtp_server.port}"
    mail = await mail_api(api_factory, running_smtp_server, smtp_url=url)
    await mail.api.register(ALICE)

    assert await mail.deliver() == 0
    assert running_smtp_server.inbox.received == []


async def test_the_app_sends_on_its_own_while_it_runs(
    api_factory: AppFactory, running_smtp_server: SmtpServer,
) -> None:
    mail = await mail_api(api_factory, running_smtp_server, mail_dispatch_interval=0.05)

    await mail.api.register(ALICE)

    for _ in range(100):
        if mail.inbox.to(ALICE):
            break
        await asyncio.sleep(0.05)
    assert len(mail.inbox.to(ALICE)) == 1


async def test_without_a_relay_development_writes_eml_files_and_names_them_in_the_log(
    api_factory: AppFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    api = await api_factory(mail_dir=tmp_path / "mail")
    await api.register(ALICE)

    with caplog.at_level(logging.INFO, logger="roomkey.mail"):
        await api.container.mail_dispatcher().run_once()

    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    assert b"To: alice@example.com" in files[0].read_bytes()
    assert any(str(files[0]) in r.getMessage() for r in caplog.records)


def test_production_refuses_to_start_without_a_relay() -> None:
    container = build_container(Settings(env="production", secret_key=SecretStr(SECRET),
                                         database_url="memory://", data_key=DATA_KEY,
                                         allowed_hosts="api.example.com"))  # type: ignore[arg-type]

    with pytest.raises(ConfigurationError, match="ROOMKEY_SMTP_URL"):
        create_app(container)
