"""Each browser's kept work (runs, trained model, state, uploaded image sets) behind SQLAlchemy Core.

SQLite in the data folder by default (embedded, nothing to set up); PostgreSQL when $PLAYGROUND_DATABASE_URL names
one, so that several replicas share it. A browser holds an anonymous token (`new_token()`, 256 random bits); rows
are keyed by the token's SHA-256, so neither guessing nor reading the database yields someone else's work. Caps per
browser (image sets counted) and in all are enforced by the write that would cross them: a part that does not fit
the browser's cap is refused, and room in the whole store is made by removing the least recently used browsers'
work first. Sessions untouched for a while go at clean-up; space is given back to the file system.
"""

import functools
import hashlib
import logging
import re
import secrets
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from playground.store import engine as db
from playground.store import schema
from playground.store.codec import decode_model, decode_runs, decode_state, encode_model, encode_runs, encode_state
from playground.store.engine import StoreError, StoreUnavailable
from playground.store.limits import Limits, SettingsError
from playground.store.schema import image_sets, lock_writers, parts

__all__ = [
    "Limits",
    "SettingsError",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "decode_model",
    "decode_runs",
    "decode_state",
    "default_store",
    "encode_model",
    "encode_runs",
    "encode_state",
    "is_valid_token",
    "new_token",
    "owner_key",
]

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
PARTS = ("runs", "model", "state")
CLEANUP_INTERVAL_S = 600.0

_log = logging.getLogger(__name__)


def new_token() -> str:
    """A fresh anonymous token for a browser: 256 random bits, URL- and cookie-safe."""
    return secrets.token_urlsafe(32)


def is_valid_token(token: object) -> bool:
    """True when token looks like one new_token() made (anything else is never looked up)."""
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def owner_key(token: str) -> str:
    """The key a token's rows are stored under: its SHA-256, so the database never holds a usable token."""
    if not is_valid_token(token):
        raise ValueError("not a session token")
    return hashlib.sha256(token.encode()).hexdigest()


def _sizes(connection: sa.Connection, owner: str | None = None) -> dict[str, int]:
    """Bytes per owner (parts and image sets together), or this owner's bytes per part ('set:<name>' for sets)."""
    length = sa.func.length
    if owner is not None:
        rows = connection.execute(sa.select(parts.c.part, length(parts.c.value)).where(parts.c.owner == owner))
        sets = connection.execute(
            sa.select(image_sets.c.name, length(image_sets.c.value)).where(image_sets.c.owner == owner)
        )
        return {**dict(rows.all()), **{f"set:{name}": size for name, size in sets.all()}}
    totals: dict[str, int] = {}
    for table in (parts, image_sets):
        for key, size in connection.execute(
            sa.select(table.c.owner, sa.func.sum(length(table.c.value))).group_by(table.c.owner)
        ):
            totals[key] = totals.get(key, 0) + int(size)
    return totals


def _last_used(connection: sa.Connection) -> dict[str, float]:
    used: dict[str, float] = {}
    for table in (parts, image_sets):
        for key, updated in connection.execute(
            sa.select(table.c.owner, sa.func.max(table.c.updated)).group_by(table.c.owner)
        ):
            used[key] = max(used.get(key, 0.0), float(updated))
    return used


def _forget(connection: sa.Connection, owners: list[str]) -> None:
    for table in (parts, image_sets):
        if owners:
            connection.execute(table.delete().where(table.c.owner.in_(owners)))


class Store:
    """Parts (bytes) and image sets per token in one database; safe from many threads, processes and replicas."""

    def __init__(self, where: URL | Path | str, limits: Limits | None = None):
        self.url = where if isinstance(where, URL) else db.sqlite_url(Path(where))
        self.limits = limits or Limits()
        self.notice: str | None = None  # one line for the server log when a damaged file was set aside
        self._last_cleanup = 0.0
        self._cleanup_lock = threading.Lock()
        self.engine = self._open()

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL."""
        return Path(self.url.database) if db.is_sqlite(self.url) else None

    def _open(self) -> sa.Engine:
        path = self.path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise db.unavailable(error, self.url) from None
        engine = db.open_engine(self.url)
        try:
            problem = db.integrity_problem(engine) if path is not None and path.exists() else None
            if problem is None:
                schema.create(engine)
                return engine
        except sa.exc.DBAPIError as error:
            if not (path is not None and db.is_corruption(error)):
                engine.dispose()
                raise db.unavailable(error, self.url) from None
            problem = (str(getattr(error, "orig", error)).strip().splitlines() or ["not a database"])[0]
        # A damaged file: keep it for whoever wants to look, and start a fresh one so that the class goes on.
        engine.dispose()
        aside = db.set_aside(path)
        self.notice = f"session store {path} was damaged ({problem}); set aside as {aside.name}, a fresh one started"
        _log.warning("%s", self.notice)
        engine = db.open_engine(self.url)
        schema.create(engine)
        return engine

    def _write(self):
        return self.engine.execution_options(**db.WRITE).begin()

    def _guard(self, action):
        try:
            return action()
        except sa.exc.DBAPIError as error:
            raise db.unavailable(error, self.url) from None

    # ------------------------------------------------------------ parts

    def save(self, token: str, values: Mapping[str, bytes | None], now: float | None = None) -> tuple[str, ...]:
        """Write these parts (None deletes one); returns the parts refused for a cap (the rest are written)."""
        owner, now = owner_key(token), time.time() if now is None else now
        unknown = set(values) - set(PARTS)
        if unknown:
            raise ValueError(f"unknown parts {sorted(unknown)}")

        def write() -> tuple[str, ...]:
            with self._write() as connection:
                lock_writers(connection)
                refused = []
                for part in sorted(values, key=PARTS.index):  # runs and state before the (large) model
                    value = values[part]
                    if value is None:
                        connection.execute(parts.delete().where((parts.c.owner == owner) & (parts.c.part == part)))
                    elif self._room(connection, owner, part, len(value), now):
                        connection.execute(parts.delete().where((parts.c.owner == owner) & (parts.c.part == part)))
                        connection.execute(parts.insert().values(owner=owner, part=part, value=value, updated=now))
                    else:
                        refused.append(part)
                self._touch(connection, owner, now)
            return tuple(refused)

        refused = self._guard(write)
        self.maybe_cleanup(now)
        return refused

    def _room(self, connection: sa.Connection, owner: str, key: str, size: int, now: float) -> bool:
        """True when `size` bytes fit under `key` for this owner; makes room in the whole store from other owners
        least recently used first. Called inside the write's transaction, with the writers' lock held."""
        mine = _sizes(connection, owner)
        if sum(v for k, v in mine.items() if k != key) + size > self.limits.max_session_bytes:
            return False
        totals = _sizes(connection)
        total = sum(totals.values()) - mine.get(key, 0) + size
        if total <= self.limits.max_total_bytes:
            return True
        used = _last_used(connection)
        doomed = []
        for other in sorted((o for o in totals if o != owner), key=lambda o: used.get(o, 0.0)):
            if total <= self.limits.max_total_bytes:
                break
            doomed.append(other)
            total -= totals[other]
        if total > self.limits.max_total_bytes:
            return False
        _forget(connection, doomed)
        return True

    @staticmethod
    def _touch(connection: sa.Connection, owner: str, now: float, since: float = 0.0) -> None:
        # Every row of a browser's work carries its last use: parts and image sets age together.
        for table in (parts, image_sets):
            fresh = (table.c.owner == owner) & (table.c.updated >= since)
            connection.execute(table.update().where(fresh).values(updated=now))

    def load(self, token: str, now: float | None = None) -> dict[str, bytes]:
        """The token's parts (an empty dict for an unknown token); reading counts as use for the age limit."""
        owner, now = owner_key(token), time.time() if now is None else now

        def read() -> dict[str, bytes]:
            with self._write() as connection:
                rows = connection.execute(
                    sa.select(parts.c.part, parts.c.value).where(
                        (parts.c.owner == owner) & (parts.c.updated >= now - self.limits.max_age_s)
                    )
                ).all()
                self._touch(connection, owner, now, since=now - self.limits.max_age_s)
            return {part: bytes(value) for part, value in rows}

        return self._guard(read)

    def sizes(self, token: str) -> dict[str, int]:
        """Bytes stored per part under the token ('set:<name>' for image sets; reading does not count as use)."""
        owner = owner_key(token)

        def read() -> dict[str, int]:
            with self.engine.connect() as connection:
                return _sizes(connection, owner)

        return self._guard(read)

    def clear(self, token: str) -> None:
        """Forget everything stored under the token, and give the space back."""
        owner = owner_key(token)

        def forget() -> None:
            with self._write() as connection:
                lock_writers(connection)
                _forget(connection, [owner])

        self._guard(forget)
        db.reclaim(self.engine)

    # ------------------------------------------------------------ image sets

    def save_image_set(self, token: str, name: str, title: str, value: bytes, now: float | None = None) -> bool:
        """Keep an uploaded image set under the token; False when it would cross a cap (nothing written)."""
        owner, now = owner_key(token), time.time() if now is None else now

        def write() -> bool:
            with self._write() as connection:
                lock_writers(connection)
                if not self._room(connection, owner, f"set:{name}", len(value), now):
                    return False
                where = (image_sets.c.owner == owner) & (image_sets.c.name == name)
                connection.execute(image_sets.delete().where(where))
                connection.execute(
                    image_sets.insert().values(owner=owner, name=name, title=title, value=value, updated=now)
                )
                self._touch(connection, owner, now)
            return True

        return self._guard(write)

    def image_set(self, name: str) -> bytes | None:
        """An image set's bytes by its name alone (training workers load it so), or None when no browser keeps it."""

        def read() -> bytes | None:
            with self.engine.connect() as connection:
                row = connection.execute(
                    sa.select(image_sets.c.value).where(image_sets.c.name == name).limit(1)
                ).first()
            return None if row is None else bytes(row[0])

        return self._guard(read)

    def has_image_set(self, name: str) -> bool:
        """True when some browser keeps an image set of this name."""

        def read() -> bool:
            with self.engine.connect() as connection:
                found = connection.execute(sa.select(image_sets.c.name).where(image_sets.c.name == name).limit(1))
                return found.first() is not None

        return self._guard(read)

    def image_sets(self, token: str) -> dict[str, str]:
        """The token's image sets: name → title."""
        owner = owner_key(token)

        def read() -> dict[str, str]:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(image_sets.c.name, image_sets.c.title).where(image_sets.c.owner == owner)
                )
                return dict(rows.all())

        return self._guard(read)

    # ------------------------------------------------------------ clean-up

    def cleanup(self, now: float | None = None) -> int:
        """Remove sessions older than the age limit, then the least recently used beyond the total cap; how many."""
        now = time.time() if now is None else now

        def sweep() -> int:
            with self._write() as connection:
                lock_writers(connection)
                totals, used = _sizes(connection), _last_used(connection)
                total, doomed = 0, []
                for owner in sorted(totals, key=lambda o: -used.get(o, 0.0)):
                    total += totals[owner]
                    if used.get(owner, 0.0) < now - self.limits.max_age_s or total > self.limits.max_total_bytes:
                        doomed.append(owner)
                _forget(connection, doomed)
            return len(doomed)

        removed = self._guard(sweep)
        if removed:
            db.reclaim(self.engine)
        return removed

    def maybe_cleanup(self, now: float | None = None) -> bool:
        """Run cleanup() when it has not run for a while (saves call this); True when it ran."""
        now = time.time() if now is None else now
        if now - self._last_cleanup < CLEANUP_INTERVAL_S or not self._cleanup_lock.acquire(blocking=False):
            return False
        try:
            self._last_cleanup = now
            self.cleanup(now)
            return True
        finally:
            self._cleanup_lock.release()

    def stats(self) -> dict[str, int]:
        """Sessions and bytes stored."""

        def read() -> dict[str, int]:
            with self.engine.connect() as connection:
                totals = _sizes(connection)
            return {"sessions": len(totals), "bytes": sum(totals.values())}

        return self._guard(read)


@functools.lru_cache(maxsize=4)
def _store(url: str, limits: Limits) -> Store:
    return Store(sa.engine.make_url(url), limits)


_open_lock = threading.Lock()


def default_store() -> Store:
    """The app's store: $PLAYGROUND_DATABASE_URL, else sessions.sqlite3 in data_dir(), with limits from the
    environment. Raises SettingsError (a bad setting) or StoreUnavailable, each one line."""
    url, limits = db.database_url().render_as_string(hide_password=False), Limits.from_env()
    # One opening at a time: a class's first page loads arrive together, and SQLite files being created and switched
    # to WAL by several connections at once answer "database is locked" instead of waiting (measured: 8 of 20).
    with _open_lock:
        return _store(url, limits)


class _DefaultKeeper:
    """The app's store as the keeper of uploaded image sets (data.own reads them by name through it)."""

    def image_set(self, name: str) -> bytes | None:
        try:
            return default_store().image_set(name)
        except (StoreError, SettingsError) as error:
            _log.warning("image set %s unreadable: %s", name, error)
            return None

    def has_image_set(self, name: str) -> bool:
        try:
            return default_store().has_image_set(name)
        except (StoreError, SettingsError):
            return False


def keeper() -> _DefaultKeeper:
    """What data.kept.keep_in() needs to read uploaded image sets from the app's store."""
    return _DefaultKeeper()
