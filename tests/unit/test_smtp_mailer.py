"""SmtpMailer against a real aiosmtpd server over implicit TLS, and refusing an untrusted one."""

import uuid

import pytest

from application.mail import MailKind, OutgoingMail, QueuedMail
from infrastructure.mail.composer import MailComposer
from infrastructure.mail.transports import SmtpMailer, SmtpRelay
from tests.mail_server import SmtpServer, text_body

COMPOSER = MailComposer(mail_from="Roomkey <no-reply@rooms.example>",
                        public_url="https://rooms.example")


def _verification() -> QueuedMail:
    return QueuedMail(id=uuid.uuid4(), attempts=1, mail=OutgoingMail(
        MailKind.VERIFY_EMAIL, "alice@example.com", {"token": "tok", "valid_for": "24 hours"}))


async def test_implicit_tls_delivers(smtps_server: SmtpServer) -> None:
    mailer = SmtpMailer(COMPOSER, SmtpRelay.parse(smtps_server.url),
                        tls_context=smtps_server.client_tls)

    await mailer.send(_verification())

    [(recipients, message)] = smtps_server.inbox.received
    assert recipients == ["alice@example.com"]
    assert "#token=tok" in text_body(message)


async def test_a_certificate_the_system_does_not_trust_is_refused(
    smtps_server: SmtpServer,
) -> None:
    mailer = SmtpMailer(COMPOSER, SmtpRelay.parse(smtps_server.url), timeout=10)

    with pytest.raises(Exception, match=r"(?i)certificate"):
        await mailer.send(_verification())
    assert smtps_server.inbox.received == []
