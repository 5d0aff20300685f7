"""The mail the use cases queue: a kind, a recipient and the data its template needs.

The application never composes a message: templates, MIME and SMTP are infrastructure's. It
queues an OutgoingMail in its unit of work (`uow.outbox`), so the mail is kept exactly when the
change that causes it commits.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MailKind(StrEnum):
    """One template per kind (infrastructure/mail/templates/<kind>.txt and .html)."""

    PASSWORD_RESET = "password_reset"  # noqa: S105 - a template name, not a secret
    VERIFY_EMAIL = "verify_email"
    CONFIRM_EMAIL_CHANGE = "confirm_email_change"
    # Security notifications: they say what happened, when, from where, and what to do.
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    EMAIL_CHANGED = "email_changed"
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"  # noqa: S105
    RECOVERY_CODE_USED = "recovery_code_used"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A message to send. `data` may hold a token: adapters keep it sealed at rest."""

    kind: MailKind
    recipient: str
    data: Mapping[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedMail:
    """A message taken from the outbox for sending; its id makes the stable Message-ID."""

    id: uuid.UUID
    mail: OutgoingMail
    attempts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxEntry:
    """What admins see of a queued message: never its data."""

    id: uuid.UUID
    kind: MailKind
    recipient: str
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str



class UndeliverableMail(Exception):
    """A Mailer's verdict that retrying cannot help (a malformed message, a refused address)."""
