"""The mail use cases against the in-memory store: what is queued, what is refused, and why."""

import asyncio
from datetime import timedelta

import pytest

from application.errors import IncorrectPassword, InvalidToken
from application.list_outbox import ListOutbox
from application.mail import MailKind, QueuedMail
from application.ports import AuditEventType, AuditQuery
from application.register_user import RegisterUser
from application.request_email_change import RequestEmailChange
from application.request_password_reset import RequestPasswordReset
from application.reset_password import ResetPassword
from application.verify_email import VerifyEmail
from domain.errors import PermissionDenied
from domain.passwords import PasswordPolicy
from domain.users import Email, User
from infrastructure.email_addresses import parse_email
from infrastructure.mail.cipher import PayloadCipher
from infrastructure.persistence.mail_memory import MemoryOutboxQueue
from infrastructure.persistence.memory import MemoryStore, MemoryUnitOfWork
from infrastructure.throttling import LimitsThrottle
from tests.fakes import FakeClock, FakePasswordHasher
from tests.unit.conftest import ATTEMPTS_ALLOWED, PASSWORD
from tests.wiring import make_password_check

CIPHER = PayloadCipher.from_secret("unit-test-mail-secret-0123456789abcdef")
NEW_PASSWORD = "quiet meadow lantern 42"


class Mail:
    """The mail use cases over one store, and what they queued."""

    def __init__(self, store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher,
                 policy: PasswordPolicy, throttle: LimitsThrottle) -> None:
        def uow() -> MemoryUnitOfWork:
            return MemoryUnitOfWork(store, clock, CIPHER)

        self.store, self.clock = store, clock
        self.register = RegisterUser(uow(), hasher, clock, policy)
        self.request_reset = RequestPasswordReset(uow(), throttle, clock)
        self.reset = ResetPassword(uow(), hasher, clock, policy)
        self.verify = VerifyEmail(uow(), clock)
        self.change_email = RequestEmailChange(uow(), make_password_check(uow(), hasher, policy),
                                               clock)
        self.list_outbox = ListOutbox(uow())
        self._queue = MemoryOutboxQueue(store, CIPHER)

    async def store_events(self) -> list[tuple[AuditEventType, str]]:
        uow = MemoryUnitOfWork(self.store, self.clock)
        async with uow:
            events = await uow.audit_log.list(AuditQuery(limit=100))
        return [(event.type, event.detail) for event in events]

    async def take(self) -> list[QueuedMail]:
        """Everything queued and due, as the dispatcher would take it."""
        _, taken = await self._queue.claim(self.clock.now(), limit=100, lease=timedelta(days=1))
        return taken

    async def token(self, kind: MailKind, recipient: str) -> str:
        mails = [q.mail for q in await self.take()
                 if q.mail.kind is kind and q.mail.recipient == recipient]
        assert mails, kind
        return mails[-1].data["token"]


@pytest.fixture
def mail(store: MemoryStore, clock: FakeClock, hasher: FakePasswordHasher,
         policy: PasswordPolicy, throttle: LimitsThrottle) -> Mail:
    return Mail(store, clock, hasher, policy, throttle)


@pytest.fixture
async def alice_(mail: Mail) -> User:
    return await mail.register.execute(email=parse_email("alice@example.com"), password=PASSWORD)


async def test_registration_queues_one_verification_link_valid_for_a_day(
    mail: Mail, alice_: User,
) -> None:
    [queued] = await mail.take()

    assert (queued.mail.kind, queued.mail.recipient) == (MailKind.VERIFY_EMAIL, alice_.email.value)
    assert queued.mail.data["valid_for"] == "24 hours"
    assert len(queued.mail.data["token"]) >= 43  # 32 random bytes, base64url


async def test_an_inactive_account_gets_no_reset_link(mail: Mail, alice_: User) -> None:
    await mail.take()
    mail.store.users[alice_.id].is_active = False

    await mail.request_reset.execute(email=parse_email("alice@example.com"))

    assert await mail.take() == []
    events = await mail.store_events()
    assert (AuditEventType.PASSWORD_RESET_REQUESTED, "inactive account") in events


async def test_over_the_account_limit_no_link_goes_and_the_reason_is_audited(
    mail: Mail, alice_: User,
) -> None:
    await mail.take()
    for _ in range(ATTEMPTS_ALLOWED + 1):
        await mail.request_reset.execute(email=parse_email(" Alice@Example.com "))

    assert len(await mail.take()) == ATTEMPTS_ALLOWED
    assert (AuditEventType.PASSWORD_RESET_REQUESTED,
            "password_reset_per_account") in await mail.store_events()


async def test_of_two_simultaneous_resets_with_one_token_exactly_one_wins(
    mail: Mail, alice_: User,
) -> None:
    await mail.request_reset.execute(email=parse_email("alice@example.com"))
    token = await mail.token(MailKind.PASSWORD_RESET, "alice@example.com")

    results = await asyncio.gather(
        mail.reset.execute(token=token, new_password=NEW_PASSWORD),
        ResetPassword(MemoryUnitOfWork(mail.store, mail.clock, CIPHER), FakePasswordHasher(),
                      mail.clock, PasswordPolicy()).execute(token=token,
                                                            new_password="another phrase 77"),
        return_exceptions=True)

    assert sorted(type(r).__name__ for r in results) == ["InvalidToken", "NoneType"]


async def test_a_link_sent_to_a_former_address_no_longer_works(mail: Mail, alice_: User) -> None:
    await mail.request_reset.execute(email=parse_email("alice@example.com"))
    reset = await mail.token(MailKind.PASSWORD_RESET, "alice@example.com")
    mail.store.users[alice_.id].email = Email("alice@elsewhere.example")

    with pytest.raises(InvalidToken):
        await mail.reset.execute(token=reset, new_password=NEW_PASSWORD)


async def test_an_email_change_needs_the_current_password_and_queues_nothing_without_it(
    mail: Mail, alice_: User,
) -> None:
    await mail.take()

    with pytest.raises(IncorrectPassword):
        await mail.change_email.execute(actor=alice_, new_email=parse_email("new@example.org"),
                                        current_password="not the password")

    assert await mail.take() == []


async def test_a_verification_link_for_the_old_address_dies_with_the_change(
    mail: Mail, alice_: User,
) -> None:
    verification = await mail.token(MailKind.VERIFY_EMAIL, "alice@example.com")
    await mail.change_email.execute(actor=alice_, new_email=parse_email("new@example.org"),
                                    current_password=PASSWORD)
    change = await mail.token(MailKind.CONFIRM_EMAIL_CHANGE, "new@example.org")

    changed = await mail.verify.execute(token=change)

    assert (changed.email.value, changed.email_verified) == ("new@example.org", True)
    with pytest.raises(InvalidToken):
        await mail.verify.execute(token=verification)
    [notice] = [q.mail for q in await mail.take()]
    assert (notice.kind, notice.recipient) == (MailKind.EMAIL_CHANGED, "alice@example.com")


async def test_only_admins_list_the_outbox(mail: Mail, alice_: User) -> None:
    with pytest.raises(PermissionDenied):
        await mail.list_outbox.execute(actor=alice_)
