"""The Alembic revisions build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server_sync.db import Database
from server_sync.migrate import current_revision, head_revision, upgrade
from server_sync.models import Base


def test_migrated_database_matches_the_models(database_url):
    database = Database(database_url)
    try:
        upgrade(database)  # already at head: must be a no-op
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        revision = current_revision(database)
    finally:
        database.dispose()

    assert revision == head_revision()
    assert differences == [], "a model changed without a migration: " + repr(differences[:5])
