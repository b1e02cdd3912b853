"""The store's tables: each browser's parts, its uploaded image sets, and one row every writer locks.

Rows are keyed by the SHA-256 of the browser's token (`owner`), never the token. `parts` has the columns the
SQLite-only store had, so an existing sessions.sqlite3 is used as it is.
"""

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from playground.store.engine import run_script

metadata = sa.MetaData()

parts = sa.Table(
    "parts",
    metadata,
    sa.Column("owner", sa.Text, primary_key=True),  # SHA-256 of the browser's token
    sa.Column("part", sa.Text, primary_key=True),  # runs, model or state
    sa.Column("value", sa.LargeBinary, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),  # seconds since the epoch: last saved or read
)

image_sets = sa.Table(
    "image_sets",
    metadata,
    sa.Column("owner", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, primary_key=True),  # own-<hash of the content>: the same upload, the same name
    sa.Column("title", sa.Text, nullable=False),  # the zip file's name
    sa.Column("value", sa.LargeBinary, nullable=False),  # data.kept.to_bytes()
    sa.Column("updated", sa.Double, nullable=False),
    sa.Index("image_sets_by_name", "name"),  # workers load a set by its name alone
)

# One row, "writer", that every write locks first (SELECT … FOR UPDATE): PostgreSQL then runs the writes of all
# replicas one after another, so no two of them can pass a cap together. SQLite's BEGIN IMMEDIATE does the same.
meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

LOCK_KEY = 20_251_114  # PostgreSQL advisory lock: replicas starting together create the tables one at a time


def create(engine: Engine) -> None:
    """Create what is missing (tables, the writer row); an old SQLite file is vacuumed once to return space."""
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        _incremental_vacuum_on(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        metadata.create_all(connection, checkfirst=True)
        if connection.execute(sa.select(meta.c.key).where(meta.c.key == "writer")).first() is None:
            connection.execute(meta.insert().values(key="writer", value=""))


def _incremental_vacuum_on(engine: Engine) -> None:
    # auto_vacuum is chosen when a file is created; a file made without it needs one VACUUM to switch.
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA auto_vacuum").scalar()
        tables = connection.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
        connection.rollback()
    if mode != 2 and tables:
        run_script(engine, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM;")


def lock_writers(connection: sa.Connection) -> None:
    """Take the store's write lock for this transaction (PostgreSQL: the writer row; SQLite holds it already)."""
    connection.execute(sa.select(meta.c.key).where(meta.c.key == "writer").with_for_update())
