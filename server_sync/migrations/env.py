"""Alembic environment: runs from `ymt-server migrate`, at `serve` start, or `alembic`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.types import TypeDecorator

from server_sync.db import make_engine
from server_sync.models import Base
from server_sync.settings import load_settings

config = context.config
# A caller may pass a narrower metadata (a revision for one area only).
target_metadata = config.attributes.get("target_metadata", Base.metadata)


def render_item(type_, obj, autogen_context):
    """Write the server's own column types as the plain types they store."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance if hasattr(obj, "impl_instance") else obj.impl
        return f"sa.{impl!r}"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or load_settings().effective_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `ymt-server migrate`")
run_migrations_online()
