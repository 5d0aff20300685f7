"""The `roomkey` command line: serve, migrate, create-admin."""

import asyncio
import logging.config
import sys
from typing import Annotated

import typer
import uvicorn

from domain.errors import DomainError, InvalidEmail
from domain.users import Email
from infrastructure.container import close_storage
from infrastructure.email_addresses import parse_email
from infrastructure.persistence.database import run_migrations
from infrastructure.settings import ConfigurationError, Settings, resolve_secret_key
from interfaces.http.app import build_container
from interfaces.logging_config import logging_config

cli = typer.Typer(help="Roomkey: authentication and bookings over HTTP.", no_args_is_help=True,
                  add_completion=False)


def _settings() -> Settings:
    try:
        settings = Settings()
        resolve_secret_key(settings)
    except (ConfigurationError, ValueError) as error:
        typer.secho(f"roomkey: {error}", err=True, fg="red")
        raise typer.Exit(2) from None
    return settings


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API. In development, first migrate the database (demo rooms come at start-up)."""
    settings = _settings()
    if not settings.is_production and not settings.uses_memory:
        run_migrations(settings.database_url)
    if settings.uses_memory and workers > 1:
        typer.secho("roomkey: memory:// keeps data per process; use --workers 1 with it",
                    err=True, fg="red")
        raise typer.Exit(2)
    # asyncio's own loop, even where uvloop is installed: measured here under saturation, uvloop
    # served as many reads but left a few connections waiting, with a read p99 3 to 4 times higher.
    uvicorn.run("interfaces.http.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_config=logging_config(), proxy_headers=False,
                loop="asyncio")


@cli.command()
def migrate() -> None:
    """Apply every pending Alembic migration to ROOMKEY_DATABASE_URL."""
    settings = _settings()
    if settings.uses_memory:
        typer.echo("memory:// has no schema to migrate")
        return
    run_migrations(settings.database_url)
    typer.echo("database is up to date")


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email address.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (required).")] = False,
) -> None:
    """Create an admin account (idempotent: an existing account is left as it is)."""
    if not password_stdin:
        typer.secho("roomkey: pass --password-stdin and give the password on standard input, "
                    "so it stays out of shell history and process lists", err=True, fg="red")
        raise typer.Exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        address = parse_email(email)
    except InvalidEmail as error:
        typer.secho(f"roomkey: --email: {error.detail}", err=True, fg="red")
        raise typer.Exit(2) from None
    settings = _settings()
    if settings.uses_memory:
        typer.secho("roomkey: memory:// forgets everything when this command exits; set "
                    "ROOMKEY_ADMIN_EMAIL and ROOMKEY_ADMIN_PASSWORD for the server instead",
                    err=True, fg="red")
        raise typer.Exit(2)
    if not settings.is_production:
        run_migrations(settings.database_url)
    asyncio.run(_create_admin(settings, address, password))


async def _create_admin(settings: Settings, email: Email, password: str) -> None:
    container = build_container(settings)
    try:
        result = await container.ensure_admin().execute(email=email, password=password)
    except DomainError as error:
        typer.secho(f"roomkey: {error.detail}", err=True, fg="red")
        raise typer.Exit(1) from None
    finally:
        await close_storage(container)
    if result.created:
        typer.echo(f"created admin {result.user.email}")
    else:
        typer.echo(f"{result.user.email} already exists; left unchanged")


def main() -> None:
    logging.config.dictConfig(logging_config())
    cli()
