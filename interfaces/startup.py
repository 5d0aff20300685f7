"""Before serving: can Roomkey run with these settings? Each refusal is one line an operator can
act on, never a traceback (the command line shows that only with --debug)."""

from application.errors import StorageUnavailable
from infrastructure.container import Container, close_storage
from infrastructure.persistence.schema import schema_status


class StartupRefused(RuntimeError):
    """Roomkey cannot serve as configured; the message says why and what to do."""


def cause_of(error: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's echo of the statement."""
    cause: BaseException = error
    while cause.__cause__ is not None:
        cause = cause.__cause__
    orig = getattr(cause, "orig", None)
    if isinstance(orig, BaseException):
        cause = orig
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__


async def check_schema(container: Container) -> None:
    """Refuse to serve a database whose schema is not at this code's head (empty, behind,
    ahead): every request would fail on it, while /health said all was well."""
    if container.backend() != "sql":
        return
    try:
        status = await schema_status(container.engine(),
                                     seconds=container.settings().db_timeout)
    except StorageUnavailable as error:
        raise StartupRefused(f"the database at ROOMKEY_DATABASE_URL does not answer "
                             f"({cause_of(error)})") from error
    if not status.current:
        raise StartupRefused(status.describe())


async def preflight(container: Container) -> None:
    """What `roomkey serve` checks once, before starting any worker: the signing keys, the
    database and its schema, and Redis when configured."""
    container.secret_key()
    container.tokens()
    try:
        await check_schema(container)
        if not await container.rate_limiter().primary_answers():
            raise StartupRefused("Redis at ROOMKEY_REDIS_URL does not answer; check that it runs "
                                 "and the URL, or unset ROOMKEY_REDIS_URL to count rate limits "
                                 "in each process")
    finally:
        await container.rate_limiter().aclose()
        await close_storage(container)
