"""DeleteAccount: a user closes their own account; what identifies them is erased."""

from application.errors import NotAuthenticated
from application.password_check import PasswordCheck
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from domain.users import User


class DeleteAccount:
    """Delete the acting user's account, confirming the password (and a recent authentication,
    which the route asks for).

    - The account is deactivated and erased: its email becomes a unique placeholder that is no
      address, its password hash one that nothing verifies against, its second factor and
      recovery codes are removed.
    - Every session of the account is revoked; its bookings from today on are cancelled. Past
      bookings stay (they happened; the rooms' history needs them), tied to the erased account.
    - The audit trail keeps its events, which name the account by id only; the deletion is
      audited too.
    """

    def __init__(self, uow: UnitOfWork, passwords: PasswordCheck, clock: Clock) -> None:
        self._uow = uow
        self._passwords = passwords
        self._clock = clock

    async def execute(
        self, *, actor: User, password: str, context: RequestContext = NO_REQUEST_CONTEXT
    ) -> None:
        await self._passwords.verify(actor, password, context=context)
        now = self._clock.now()
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            if user is None or not user.is_active:
                raise NotAuthenticated()
            user.erase()
            await self._uow.users.update(user)
            await self._uow.mfa.remove(user.id)
            await self._uow.sessions.revoke_all(user.id, now)
            for booking in await self._uow.bookings.list_for_user(user.id):
                if booking.dates.start >= now.date():
                    await self._uow.bookings.delete(booking.id)
            await self._uow.audit_log.record(AuditEventType.ACCOUNT_DELETED, context=context,
                                             user_id=user.id)
            await self._uow.commit()
