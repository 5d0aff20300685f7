"""ListOutbox: the queued, sent and failed mail (admins only)."""

from application.mail import OutboxEntry, OutboxStatus
from application.ports import UnitOfWork
from domain.policy import Permission, require
from domain.users import User

MAX_OUTBOX_PAGE = 200


class ListOutbox:
    """Newest first, optionally of one status; never a message's data (it may hold a token).

    Only users allowed to read the mail outbox may.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(
        self, *, actor: User, status: OutboxStatus | None = None, limit: int = 50
    ) -> list[OutboxEntry]:
        require(actor, Permission.READ_MAIL_OUTBOX)
        async with self._uow:
            return await self._uow.outbox.list(status=status, limit=min(limit, MAX_OUTBOX_PAGE))
