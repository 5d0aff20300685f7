"""The `roomkey` command line: serve, migrate, create-admin, set-role, gen-secret,
mail-worker.

Every refusal (a setting that does not parse, a database that does not answer, a schema that is
not at head) is one line on stderr and a non-zero exit; `roomkey --debug ...` or
`ROOMKEY_LOG_LEVEL=debug` shows the traceback as well.
"""

import asyncio
import logging.config
import os
import signal
import sys
from typing import Annotated

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from pydantic_settings import SettingsError

from application.errors import StorageUnavailable
from domain.errors import DomainError, InvalidEmail
from domain.users import Email, Role
from infrastructure.container import close_storage
from infrastructure.email_addresses import parse_email
from infrastructure.metrics import shared_between_workers
from infrastructure.persistence.backends import is_connection_failure
from infrastructure.persistence.database import run_migrations
from infrastructure.persistence.schema import SchemaState, SchemaStatus, schema_status
from infrastructure.settings import (
    ConfigurationError,
    Settings,
    allowed_hosts,
    previous_secret_keys,
    require_mail_delivery,
    resolve_data_key,
    resolve_secret_key,
)
from infrastructure.settings_errors import describe_settings_error
from infrastructure.signing_keys import generate_key
from infrastructure.token_signing_keys import resolve_signing_keys
from interfaces.http.app import build_container
from interfaces.logging_config import logging_config
from interfaces.server import serve as run_server
from interfaces.startup import StartupRefused, cause_of, check_schema, preflight

cli = typer.Typer(help="Roomkey: authentication and bookings over HTTP.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
EXIT_REFUSED = 2


class _Options:
    debug = False


@cli.callback()
def options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="Log at debug level and show the traceback of any failure.")] = False,
) -> None:
    _Options.debug = debug or _Options.debug


def _fail(message: str, code: int = EXIT_REFUSED) -> typer.Exit:
    typer.secho(f"roomkey: {message}", err=True, fg="red")
    return typer.Exit(code)


def _settings(*, serving: bool = False) -> Settings:
    """The settings, with every key checked; logging as they ask. Only a server answers hosts,
    so only `serve` needs ROOMKEY_ALLOWED_HOSTS."""
    settings = Settings()
    # Logging first: resolving a key may log (a development key generated), in the format asked.
    level = "debug" if _debug() else settings.log_level
    logging.config.dictConfig(logging_config(level.upper(), settings.log_format))
    resolve_secret_key(settings)
    resolve_signing_keys(settings)
    previous_secret_keys(settings)
    resolve_data_key(settings)
    require_mail_delivery(settings)
    if serving:
        allowed_hosts(settings)
    return settings


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes [default: ROOMKEY_WORKERS, or 1].")] = None,
) -> None:
    """Serve the API. In development, first migrate the database (demo rooms come at start-up);
    in production, refuse a database whose schema is not at head."""
    settings = _settings(serving=True)
    workers = workers or settings.workers
    if settings.uses_memory and workers > 1:
        raise _fail("memory:// keeps data per process; use --workers 1 with it")
    if not settings.is_production and not settings.uses_memory:
        _migrate(settings)
    asyncio.run(preflight(build_container(settings)))
    with shared_between_workers(workers if settings.metrics_enabled else 1):
        run_server(host=host, port=port, workers=workers,
                   shutdown_grace=settings.shutdown_grace,
                   log_level="debug" if _debug() else settings.log_level,
                   log_format=settings.log_format, max_header_bytes=settings.max_header_bytes)


@cli.command()
def migrate(
    check: Annotated[bool, typer.Option(
        "--check", help="Change nothing; exit 1 when a migration is pending.")] = False,
) -> None:
    """Apply every pending Alembic migration to ROOMKEY_DATABASE_URL."""
    settings = _settings()
    if settings.uses_memory:
        typer.echo("memory:// has no schema to migrate")
        return
    if check:
        status = asyncio.run(_schema_status(settings))
        if not status.current:
            raise _fail(status.describe(), code=1)
        typer.echo(f"database is up to date (revision {', '.join(status.database)})")
        return
    logging.getLogger("alembic").setLevel(logging.INFO)
    _migrate(settings)
    typer.echo("database is up to date")


def _migrate(settings: Settings) -> None:
    """Upgrade to head; a database migrated by newer code is left alone, with one line."""
    status = asyncio.run(_schema_status(settings))
    if status.state is SchemaState.AHEAD:
        raise StartupRefused(status.describe())
    run_migrations(settings.database_url)


async def _schema_status(settings: Settings) -> SchemaStatus:
    container = build_container(settings)
    try:
        return await schema_status(container.engine(), seconds=settings.db_timeout)
    finally:
        await close_storage(container)


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email address.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (required).")] = False,
) -> None:
    """Create an admin account (idempotent: an existing account is left as it is)."""
    if not password_stdin:
        raise _fail("pass --password-stdin and give the password on standard input, "
                    "so it stays out of shell history and process lists")
    password = sys.stdin.readline().rstrip("\r\n")
    address = _address(email, "--email")
    settings = _settings()
    if settings.uses_memory:
        raise _fail("memory:// forgets everything when this command exits; set "
                    "ROOMKEY_ADMIN_EMAIL and ROOMKEY_ADMIN_PASSWORD for the server instead")
    if not settings.is_production:
        _migrate(settings)
    asyncio.run(_create_admin(settings, address, password))


async def _create_admin(settings: Settings, email: Email, password: str) -> None:
    container = build_container(settings)
    try:
        await check_schema(container)
        result = await container.ensure_admin().execute(email=email, password=password)
    except DomainError as error:
        raise _fail(error.detail, code=1) from None
    finally:
        await close_storage(container)
    if result.created:
        typer.echo(f"created admin {result.user.email}")
    elif result.user.role is Role.ADMIN:
        typer.echo(f"{result.user.email} is already an admin; left unchanged")
    else:
        raise _fail(f"{result.user.email} already has an account, as a {result.user.role.value}"
                    f"; make it an admin with `roomkey set-role {result.user.email} admin`",
                    code=1)


@cli.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="The account's email address.")],
    role: Annotated[Role, typer.Argument(help="The new role.")],
) -> None:
    """Make an existing account an admin, or a user again (audited as a role change)."""
    settings = _settings()
    if settings.uses_memory:
        raise _fail("memory:// has no accounts outside a running server")
    asyncio.run(_set_role(settings, _address(email, "EMAIL"), role))


async def _set_role(settings: Settings, email: Email, role: Role) -> None:
    container = build_container(settings)
    try:
        await check_schema(container)
        user = await container.set_user_role().execute(email=email, role=role)
    except DomainError as error:
        raise _fail(f"{email}: {error.detail}", code=1) from None
    finally:
        await close_storage(container)
    typer.echo(f"{user.email} is now {'an' if role is Role.ADMIN else 'a'} {role.value}")


@cli.command("gen-secret")
def gen_secret() -> None:
    """Print a new random signing key, for ROOMKEY_SECRET_KEY."""
    typer.echo(generate_key())


def _address(email: str, where: str) -> Email:
    try:
        return parse_email(email)
    except InvalidEmail as error:
        raise _fail(f"{where}: {error.detail}") from None


def _debug() -> bool:
    return _Options.debug or os.environ.get("ROOMKEY_LOG_LEVEL", "").lower() == "debug"


def _log_level() -> str:
    return "debug" if _debug() else os.environ.get("ROOMKEY_LOG_LEVEL", "info").lower()


def describe_failure(error: BaseException) -> str | None:
    """One line for a failure an operator can fix; None for a bug (then the traceback shows)."""
    if isinstance(error, ValidationError | SettingsError):
        return describe_settings_error(error)
    if isinstance(error, ConfigurationError | StartupRefused):
        return str(error)
    if isinstance(error, StorageUnavailable) or is_connection_failure(error):
        return f"the database at ROOMKEY_DATABASE_URL does not answer ({cause_of(error)})"
    if isinstance(error, ValueError):
        return str(error)
    if isinstance(error, CommandError):
        return f"migration failed: {error}"
    return None


@cli.command("mail-worker")
def mail_worker(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between rounds.")] = 2.0,
) -> None:
    """Send the queued mail until stopped (SIGINT or SIGTERM), beside or instead of the
    dispatcher inside `roomkey serve` (set ROOMKEY_MAIL_DISPATCH_INTERVAL=0 there)."""
    settings = _settings()
    if settings.uses_memory:
        raise _fail("memory:// keeps mail in the server's process; its own dispatcher sends it")
    asyncio.run(_mail_worker(settings, interval))


async def _mail_worker(settings: Settings, interval: float) -> None:
    container = build_container(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    typer.echo("mail worker started")
    try:
        await container.mail_dispatcher().run(stop, interval=interval)
    finally:
        await close_storage(container)
    typer.echo("mail worker stopped")


def main() -> None:
    # Before anything is parsed, so that a failure to parse follows the same rules.
    _Options.debug = "--debug" in sys.argv[1:2]
    if os.environ.get("ROOMKEY_LOG_LEVEL", "info").lower() not in LOG_LEVELS:
        sys.exit(f"roomkey: ROOMKEY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    logging.config.dictConfig(logging_config(_log_level().upper()))
    if not _debug():
        # Alembic says "Context impl SQLiteImpl" and the like whenever it looks at a database;
        # `roomkey migrate` turns it up again to list the migrations it runs.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        cli()
    except Exception as error:
        message = describe_failure(error)
        if message is None or _debug():
            raise
        typer.secho(f"roomkey: {message}", err=True, fg="red")
        sys.exit(EXIT_REFUSED)
