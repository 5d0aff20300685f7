"""Alembic environment: runs the migrations through the async driver the app's URL names."""

import asyncio
import threading

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from infrastructure.persistence.backends import async_url, sql_backend_named
from infrastructure.persistence.tables import metadata

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("Set sqlalchemy.url, e.g. through database.alembic_config(url)")
    return url


def run_migrations_offline() -> None:
    url = async_url(_url())
    context.configure(
        url=url,
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_async() -> None:
    engine = create_async_engine(async_url(_url()), poolclass=pool.NullPool)
    sql_backend_named(engine.dialect.name).prepare(engine)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_migrate)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_migrate_async())
        return
    # Called from async code (an app's startup): asyncio.run needs a thread without a loop.
    failure: list[BaseException] = []

    def migrate_in_thread() -> None:
        try:
            asyncio.run(_migrate_async())
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=migrate_in_thread, name="alembic-migrations")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
