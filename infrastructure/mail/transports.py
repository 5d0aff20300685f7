"""Mailers: SMTP (aiosmtplib) for real delivery, `.eml` files for development without a relay."""

import asyncio
import logging
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib

from application.mail import QueuedMail, UndeliverableMail
from infrastructure.mail.composer import MailComposer

logger = logging.getLogger("roomkey.mail")

SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class SmtpRelay:
    """Where and how to hand mail over, from `smtp[+starttls|s]://[user:password@]host[:port]`."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> "SmtpRelay":
        """Raise ValueError naming what is wrong (never echoing the password)."""
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES:
            raise ValueError("the scheme must be smtp://, smtp+starttls:// or smtps://")
        if not parts.hostname:
            raise ValueError("the URL names no host")
        try:
            port = parts.port or SMTP_SCHEMES[parts.scheme]
        except ValueError:
            raise ValueError("the port is not a number from 0 to 65535") from None
        return cls(scheme=parts.scheme, host=parts.hostname, port=port,
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


class SmtpMailer:
    """`smtp://` plain (a local relay), `smtp+starttls://` STARTTLS required, `smtps://` TLS."""

    def __init__(
        self, composer: MailComposer, relay: SmtpRelay, *,
        tls_context: ssl.SSLContext | None = None, timeout: float = SMTP_TIMEOUT_SECONDS,
    ) -> None:
        self._composer = composer
        self._relay = relay
        self._tls_context = tls_context or ssl.create_default_context()
        self._timeout = timeout

    async def send(self, queued: QueuedMail) -> None:
        try:
            message = self._composer.compose(queued)
        except ValueError as error:
            raise UndeliverableMail(f"cannot compose: {error}") from error
        relay = self._relay
        try:
            await aiosmtplib.send(
                message, hostname=relay.host, port=relay.port, username=relay.username,
                password=relay.password, use_tls=relay.scheme == "smtps",
                # False, not None: a plain relay must not be upgraded opportunistically, and a
                # required STARTTLS must not silently fall back to plain text.
                start_tls=relay.scheme == "smtp+starttls", tls_context=self._tls_context,
                timeout=self._timeout)
        except aiosmtplib.SMTPRecipientsRefused as error:
            if all(500 <= refused.code < 600 for refused in error.recipients):
                raise UndeliverableMail(f"recipient refused: {error.recipients[0].code}") from error
            raise


class FileMailer:
    """Development without SMTP_URL: each message becomes an `.eml` file, named in one log line."""

    def __init__(self, composer: MailComposer, directory: Path) -> None:
        self._composer = composer
        self._directory = directory

    async def send(self, queued: QueuedMail) -> None:
        try:
            message = self._composer.compose(queued)
        except ValueError as error:
            raise UndeliverableMail(f"cannot compose: {error}") from error
        path = self._directory / f"{queued.id}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        logger.info("mail %s to %s written to %s", queued.mail.kind.value,
                    queued.mail.recipient, path)

    def _write(self, path: Path, content: bytes) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
