"""A small server-side store of each browser's work (runs, trained model, state) in one SQLite file.

A browser holds an anonymous token (`new_token()`, 256 random bits); the store keys rows by the token's SHA-256,
so neither guessing nor reading the database file yields someone else's work. Each session's parts are capped in
size, and sessions untouched for a while, or the oldest ones when the file grows past its cap, are removed.
"""

import contextlib
import functools
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from playground import bundle
from playground import spec as specs
from playground.bundle import TrainedModel
from playground.paths import data_dir
from playground.training.runs import History, RunRecord, TrainSettings

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
PARTS = ("runs", "model", "state")
CLEANUP_INTERVAL_S = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS parts (
    owner   TEXT NOT NULL,  -- SHA-256 of the browser's token, never the token itself
    part    TEXT NOT NULL,  -- runs, model or state
    value   BLOB NOT NULL,
    updated REAL NOT NULL,  -- seconds since the epoch: last saved or read
    PRIMARY KEY (owner, part)
)
"""


def new_token() -> str:
    """A fresh anonymous token for a browser: 256 random bits, URL- and cookie-safe."""
    return secrets.token_urlsafe(32)


def is_valid_token(token: object) -> bool:
    """True when token looks like one new_token() made (anything else is never looked up)."""
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def owner_key(token: str) -> str:
    """The key a token's rows are stored under: its SHA-256, so the file never holds a usable token."""
    if not is_valid_token(token):
        raise ValueError("not a session token")
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Limits:
    """How much the store keeps: per session, in all, and for how long."""

    max_session_bytes: int = 25 * 2**20
    max_total_bytes: int = 1024 * 2**20
    max_age_s: float = 14 * 24 * 3600

    @classmethod
    def from_env(cls) -> "Limits":
        """Limits from $PLAYGROUND_SESSION_MAX_MB, $PLAYGROUND_STORE_MAX_MB and $PLAYGROUND_STORE_DAYS."""
        session = float(os.environ.get("PLAYGROUND_SESSION_MAX_MB") or 25)
        total = float(os.environ.get("PLAYGROUND_STORE_MAX_MB") or 1024)
        days = float(os.environ.get("PLAYGROUND_STORE_DAYS") or 14)
        return cls(int(session * 2**20), int(total * 2**20), days * 24 * 3600)


class Store:
    """Parts (bytes) per token in one SQLite file; safe to use from many threads and processes."""

    def __init__(self, path: Path, limits: Limits | None = None):
        self.path = Path(path)
        self.limits = limits or Limits()
        self._last_cleanup = 0.0
        self._cleanup_lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            db.execute(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def save(self, token: str, parts: Mapping[str, bytes | None], now: float | None = None) -> tuple[str, ...]:
        """Write these parts (None deletes one); returns the parts refused for the session's size cap."""
        owner, now = owner_key(token), time.time() if now is None else now
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise ValueError(f"unknown parts {sorted(unknown)}")
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                sizes = dict(db.execute("SELECT part, length(value) FROM parts WHERE owner = ?", (owner,)).fetchall())
                refused = []
                for part in sorted(parts, key=PARTS.index):  # runs and state before the (large) model
                    value = parts[part]
                    if value is None:
                        db.execute("DELETE FROM parts WHERE owner = ? AND part = ?", (owner, part))
                        sizes.pop(part, None)
                        continue
                    others = sum(size for name, size in sizes.items() if name != part)
                    if others + len(value) > self.limits.max_session_bytes:
                        refused.append(part)
                        continue
                    db.execute(
                        "INSERT OR REPLACE INTO parts (owner, part, value, updated) VALUES (?, ?, ?, ?)",
                        (owner, part, sqlite3.Binary(value), now),
                    )
                    sizes[part] = len(value)
                db.execute("UPDATE parts SET updated = ? WHERE owner = ?", (now, owner))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        self.maybe_cleanup(now)
        return tuple(refused)

    def load(self, token: str, now: float | None = None) -> dict[str, bytes]:
        """The token's parts (an empty dict for an unknown token); reading counts as use for the age limit."""
        owner, now = owner_key(token), time.time() if now is None else now
        with self._connect() as db:
            rows = db.execute(
                "SELECT part, value FROM parts WHERE owner = ? AND updated >= ?", (owner, now - self.limits.max_age_s)
            ).fetchall()
            if rows:
                db.execute("UPDATE parts SET updated = ? WHERE owner = ?", (now, owner))
        return {part: bytes(value) for part, value in rows}

    def sizes(self, token: str) -> dict[str, int]:
        """Bytes stored per part under the token (read only: does not count as use)."""
        with self._connect() as db:
            rows = db.execute("SELECT part, length(value) FROM parts WHERE owner = ?", (owner_key(token),)).fetchall()
        return dict(rows)

    def clear(self, token: str) -> None:
        """Forget everything stored under the token."""
        with self._connect() as db:
            db.execute("DELETE FROM parts WHERE owner = ?", (owner_key(token),))

    def cleanup(self, now: float | None = None) -> int:
        """Remove sessions older than the age limit, then the least recently used beyond the total cap; how many."""
        now = time.time() if now is None else now
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            owners = db.execute(
                "SELECT owner, sum(length(value)), max(updated) FROM parts GROUP BY owner ORDER BY max(updated) DESC"
            ).fetchall()
            total, doomed = 0, []
            for owner, size, updated in owners:
                total += size
                if updated < now - self.limits.max_age_s or total > self.limits.max_total_bytes:
                    doomed.append(owner)
            db.executemany("DELETE FROM parts WHERE owner = ?", [(owner,) for owner in doomed])
            db.execute("COMMIT")
        return len(doomed)

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
        with self._connect() as db:
            owners, size = db.execute(
                "SELECT count(DISTINCT owner), coalesce(sum(length(value)), 0) FROM parts"
            ).fetchone()
        return {"sessions": owners, "bytes": size}


@functools.lru_cache(maxsize=4)
def _store(path: str, limits: Limits) -> Store:
    return Store(Path(path), limits)


def default_store() -> Store:
    """The app's store: sessions.sqlite3 in data_dir(), with limits from the environment."""
    return _store(str(data_dir() / "sessions.sqlite3"), Limits.from_env())


# ---------------------------------------------------------------- parts as bytes


def encode_runs(runs: Iterable[RunRecord]) -> bytes:
    """Run records as JSON bytes."""
    return json.dumps(
        [
            {
                "run_id": run.run_id,
                "spec": run.spec.to_dict(),
                "settings": run.settings.to_dict(),
                "history": run.history.to_dict(),
                "state": run.state,
                "test_loss": run.test_loss,
                "test_accuracy": run.test_accuracy,
            }
            for run in runs
        ]
    ).encode()


def decode_runs(raw: bytes) -> tuple[RunRecord, ...]:
    """Run records from encode_runs() bytes; records that no longer read (a changed catalog) are left out."""
    try:
        items = json.loads(raw)
    except ValueError:
        return ()
    records = []
    for item in items if isinstance(items, list) else []:
        try:
            spec = specs.from_dict(item["spec"])
            records.append(
                RunRecord(
                    int(item["run_id"]),
                    spec,
                    TrainSettings.from_dict(item["settings"]),
                    History.from_dict(item["history"]),
                    str(item["state"]),
                    item.get("test_loss"),
                    item.get("test_accuracy"),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(records)


def encode_model(trained: TrainedModel) -> bytes:
    """A trained model as bundle bytes (the same format as a download)."""
    return bundle.to_bytes(trained)


def decode_model(raw: bytes) -> TrainedModel | None:
    """The trained model in bundle bytes, validated like an upload; None when it no longer loads."""
    try:
        return bundle.from_bytes(raw)
    except bundle.BundleError:
        return None


def encode_state(state: Mapping[str, object]) -> bytes:
    """Small session state (run counter, the model being composed, image sets) as JSON bytes."""
    return json.dumps(dict(state)).encode()


def decode_state(raw: bytes) -> dict:
    """State from encode_state() bytes ({} when unreadable)."""
    try:
        state = json.loads(raw)
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
