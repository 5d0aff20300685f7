"""UpdateUserAccess: activate, deactivate or change the role of an account (admins only)."""

import uuid

from application.errors import UserNotFound
from application.ports import (
    NO_REQUEST_CONTEXT,
    AuditEventType,
    Clock,
    RequestContext,
    UnitOfWork,
)
from domain.errors import PermissionDenied
from domain.policy import Permission, require
from domain.users import Role, User


class UpdateUserAccess:
    """Change whether a user is active and what role they have.

    - Only users allowed to manage users may, and never on their own account (an admin who
      deactivates or demotes themself could lock every admin out).
    - Deactivation revokes every session of the user; both changes take effect on the user's
      next request, since each request loads the user afresh.
    - Each change is audited, naming the admin, in its transaction.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, *, actor: User, user_id: uuid.UUID, is_active: bool | None = None,
        role: Role | None = None, context: RequestContext = NO_REQUEST_CONTEXT,
    ) -> User:
        require(actor, Permission.MANAGE_USERS)
        if user_id == actor.id:
            raise PermissionDenied("You cannot change the access of your own account")
        async with self._uow:
            user = await self._uow.users.lock(user_id)
            if user is None:
                raise UserNotFound()
            events = _events(user, is_active=is_active, role=role)
            if is_active is not None:
                user.is_active = is_active
            if role is not None:
                user.role = role
            await self._uow.users.update(user)
            for event, detail in events:
                await self._uow.audit_log.record(event, context=context, user_id=user.id,
                                                 actor_id=actor.id, detail=detail)
            if not user.is_active:
                await self._uow.sessions.revoke_all(user.id, self._clock.now())
            await self._uow.commit()
        return user


def _events(
    user: User, *, is_active: bool | None, role: Role | None
) -> list[tuple[AuditEventType, str]]:
    """The audit events for what actually changes."""
    events: list[tuple[AuditEventType, str]] = []
    if is_active is not None and is_active != user.is_active:
        events.append((AuditEventType.USER_REACTIVATED if is_active
                       else AuditEventType.USER_DEACTIVATED, ""))
    if role is not None and role != user.role:
        events.append((AuditEventType.ROLE_CHANGE, f"{user.role.value} -> {role.value}"))
    return events
