"""Composing mail: headers only through EmailMessage (no injection), both bodies, stable ids."""

import uuid

import pytest
from pydantic import ValidationError

from application.mail import MailKind, OutgoingMail, QueuedMail
from infrastructure.mail.composer import MailComposer
from infrastructure.mail.transports import SmtpRelay
from infrastructure.settings import Settings

COMPOSER = MailComposer(mail_from="Roomkey <no-reply@rooms.example>",
                        public_url="https://rooms.example")
NOTICE = {"occurred_at": "2030-01-15 12:00:00 UTC", "client_ip": "203.0.113.9",
          "how": "with the current password"}


def _queued(recipient: str, data: dict[str, str], kind: MailKind = MailKind.PASSWORD_CHANGED,
            ) -> QueuedMail:
    return QueuedMail(id=uuid.uuid4(), attempts=1, mail=OutgoingMail(kind, recipient, data))


def test_a_message_has_a_plain_text_body_and_an_html_alternative() -> None:
    message = COMPOSER.compose(_queued("alice@example.com", {"token": "abc", "valid_for":
                                                             "30 minutes"},
                                       MailKind.PASSWORD_RESET))

    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    link = "https://rooms.example/app/reset-password#token=abc"
    assert link in plain.get_content()
    assert f'href="{link}"' in html.get_content()
    assert message["From"] == "Roomkey <no-reply@rooms.example>"


def test_the_message_id_is_the_same_on_every_attempt() -> None:
    queued = _queued("alice@example.com", {**NOTICE, "user_agent": ""})

    first, second = COMPOSER.compose(queued), COMPOSER.compose(queued)

    assert first["Message-ID"] == second["Message-ID"] == f"<{queued.id}@rooms.example>"


@pytest.mark.parametrize("recipient", [
    "alice@example.com\r\nBcc: mallory@evil.example",
    "alice@example.com\nBcc: mallory@evil.example",
    "Alice\r\nBcc: mallory@evil.example <alice@example.com>",
])
def test_a_crlf_in_the_recipient_cannot_add_a_header(recipient: str) -> None:
    with pytest.raises(ValueError):
        COMPOSER.compose(_queued(recipient, {**NOTICE, "user_agent": ""}))


def test_a_crlf_in_the_sender_name_cannot_add_a_header() -> None:
    composer = MailComposer(mail_from="Roomkey\r\nBcc: mallory@evil.example <a@b.example>",
                            public_url="https://rooms.example")

    with pytest.raises(ValueError):
        composer.compose(_queued("alice@example.com", {**NOTICE, "user_agent": ""}))
    with pytest.raises(ValidationError, match="ROOMKEY_MAIL_FROM"):
        Settings(mail_from="Roomkey\r\nBcc: mallory@evil.example <a@b.example>")


def test_client_data_reaches_only_the_bodies_and_is_escaped_in_html() -> None:
    agent = "evil\r\nBcc: mallory@evil.example\r\n<script>alert(1)</script>"

    message = COMPOSER.compose(_queued("alice@example.com", {**NOTICE, "user_agent": agent}))

    raw = message.as_bytes()
    assert b"\r\nBcc:" not in raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    assert "Bcc" not in message
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://relay.local", ("smtp", "relay.local", 25, None, None)),
    ("smtp+starttls://me:p%40ss@mail.example:2525", ("smtp+starttls", "mail.example", 2525,
                                                     "me", "p@ss")),
    ("smtps://mail.example", ("smtps", "mail.example", 465, None, None)),
])
def test_smtp_urls(url: str, expected: tuple[object, ...]) -> None:
    relay = SmtpRelay.parse(url)

    assert (relay.scheme, relay.host, relay.port, relay.username, relay.password) == expected
    assert "p@ss" not in repr(relay)


@pytest.mark.parametrize("url", ["http://me:hunter2hunter2@mail.example", "smtp://",
                                 "smtp://me:hunter2hunter2@host:notaport"])
def test_a_bad_smtp_url_is_refused_naming_the_setting_not_the_password(url: str) -> None:
    with pytest.raises(ValidationError, match="ROOMKEY_SMTP_URL") as error:
        Settings(smtp_url=url)  # type: ignore[arg-type]
    assert "hunter2hunter2" not in str(error.value)


def test_an_ascii_body_keeps_its_link_whole_and_other_text_is_encoded() -> None:
    token = "T" * 43
    link = f"https://rooms.example/app/verify-email#token={token}"
    ascii_mail = COMPOSER.compose(_queued("alice@example.com", {"token": token, "valid_for":
                                                                "24 hours"},
                                          MailKind.VERIFY_EMAIL))
    accented = COMPOSER.compose(_queued("alice@example.com", {**NOTICE, "user_agent": "Café/1"}))

    assert link.encode() in ascii_mail.as_bytes()
    plain = accented.get_body(preferencelist=("plain",))
    assert plain is not None
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert "Café/1" in plain.get_content()
