"""ChangePassword: set a new password, proving the current one."""

import uuid

from application.errors import IncorrectPassword, NotAuthenticated
from application.ports import Clock, PasswordHasher, UnitOfWork
from domain.passwords import check_password_policy, normalise_password
from domain.users import User


class ChangePassword:
    """Replace the password of the acting user.

    - The current password must be given (one hash verification), so a hijacked session
      alone cannot lock the owner out.
    - The new password must meet the password policy.
    - Every other session is revoked; the one making the change stays logged in.
    """

    def __init__(self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def execute(
        self, *, actor: User, session_id: uuid.UUID, current_password: str, new_password: str
    ) -> None:
        verified_hash = actor.password_hash
        if not await self._hasher.verify(normalise_password(current_password), verified_hash):
            raise IncorrectPassword()
        check_password_policy(new_password)
        new_hash = await self._hasher.hash(normalise_password(new_password))
        async with self._uow:
            user = await self._uow.users.lock(actor.id)
            # Changed meanwhile (another change, a deactivation): the check above is stale.
            if user is None or not user.is_active or user.password_hash != verified_hash:
                raise NotAuthenticated()
            user.password_hash = new_hash
            await self._uow.users.update(user)
            await self._uow.sessions.revoke_all(user.id, self._clock.now(), keep=session_id)
            await self._uow.commit()
