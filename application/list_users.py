"""ListUsers: every account (admins only)."""

from application.ports import UnitOfWork
from domain.policy import Permission, require
from domain.users import User


class ListUsers:
    """Only users allowed to manage users may list them."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, *, actor: User) -> list[User]:
        require(actor, Permission.MANAGE_USERS)
        async with self._uow:
            return await self._uow.users.list()
