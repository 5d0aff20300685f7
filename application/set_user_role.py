"""SetUserRole: an operator makes an account an admin, or a user again (the command line)."""

from application.errors import UserNotFound
from application.ports import NO_REQUEST_CONTEXT, AuditEventType, UnitOfWork
from domain.users import Email, Role, User


class SetUserRole:
    """Give the account with this email the role, for whoever runs the server's command line
    (they hold the database already, so no admin account is needed to act).

    - An unknown email is an error; the account is never created here.
    - A change is audited as a role change with no acting user, in its transaction; setting
      the role an account already has changes and records nothing.
    - It takes effect on the account's next request, since each request loads the user afresh.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, *, email: Email, role: Role) -> User:
        async with self._uow:
            found = await self._uow.users.get_by_email(email)
            user = await self._uow.users.lock(found.id) if found is not None else None
            if user is None:
                raise UserNotFound()
            if user.role is not role:
                detail = f"{user.role.value} -> {role.value}"
                user.role = role
                await self._uow.users.update(user)
                await self._uow.audit_log.record(AuditEventType.ROLE_CHANGE,
                                                 context=NO_REQUEST_CONTEXT, user_id=user.id,
                                                 detail=detail)
                await self._uow.commit()
        return user
