"""Steps the mail use cases share: issue a one-time token, queue a mail, describe a notice."""

from datetime import datetime, timedelta

from application.mail import MailKind, OutgoingMail
from application.ports import RequestContext, UnitOfWork
from domain.account_tokens import AccountToken, OneTimeToken, TokenPurpose
from domain.users import User

PASSWORD_RESET_TTL = timedelta(minutes=30)
EMAIL_VERIFICATION_TTL = timedelta(hours=24)


async def issue_token(
    uow: UnitOfWork, user: User, *, purpose: TokenPurpose, email: str, now: datetime,
    ttl: timedelta,
) -> OneTimeToken:
    """A new token for the user, in the caller's transaction; older ones for `purpose` die,
    so only the newest link works."""
    await uow.account_tokens.revoke_all(user.id, purpose, now)
    token = OneTimeToken.mint()
    await uow.account_tokens.add(AccountToken(
        digest=token.digest, user_id=user.id, purpose=purpose, email=email, created_at=now,
        expires_at=now + ttl))
    return token


async def queue_verification(
    uow: UnitOfWork, user: User, *, now: datetime, ttl: timedelta,
) -> None:
    """Queue the mail that proves the user's current address (registration, resend). The
    caller audits what caused it."""
    token = await issue_token(uow, user, purpose=TokenPurpose.VERIFY_EMAIL,
                              email=user.email.value, now=now, ttl=ttl)
    await uow.outbox.add(OutgoingMail(MailKind.VERIFY_EMAIL, user.email.value,
                                      link_data(token, ttl)))


def link_data(token: OneTimeToken, ttl: timedelta) -> dict[str, str]:
    """What a mail with a link needs: the token, and for how long it works."""
    minutes = int(ttl.total_seconds()) // 60
    valid_for = (f"{minutes // 60} hours" if minutes % 60 == 0 and minutes >= 120
                 else f"{minutes} minutes")
    return {"token": token.value, "valid_for": valid_for}


async def queue_notice(
    uow: UnitOfWork, kind: MailKind, *, recipient: str, now: datetime, context: RequestContext,
    **extra: str,
) -> None:
    """Queue a security notification: what happened (the kind), when, from which client.
    The caller audits the event itself; the outbox keeps the notice's delivery."""
    data = {"occurred_at": now.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "client_ip": context.client_ip or "", "user_agent": context.user_agent or "",
            **extra}
    await uow.outbox.add(OutgoingMail(kind, recipient, data))
