"""Connection failures become StorageUnavailable; every other database error passes through."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from application.errors import StorageUnavailable

ConnectionFailure = Callable[[BaseException], bool]


def is_lost_connection(error: BaseException) -> bool:
    """What every driver's failure to reach or keep the server looks like through SQLAlchemy.

    DBAPI's OperationalError is the class for "the database, not the statement, is at fault":
    a refused or dropped connection, a locked SQLite file, a deadlock victim on InnoDB.
    """
    if isinstance(error, OSError | TimeoutError | exc.TimeoutError | exc.DisconnectionError):
        return True
    return isinstance(error, exc.DBAPIError) and (
        error.connection_invalidated or isinstance(error, exc.OperationalError | exc.InterfaceError)
    )


@contextmanager
def storage_errors(is_failure: ConnectionFailure = is_lost_connection) -> Iterator[None]:
    """Re-raise connection failures (as the backend judges them) as StorageUnavailable."""
    try:
        yield
    except Exception as error:
        if is_failure(error):
            raise StorageUnavailable() from error
        raise
