"""Exact-match response cache in SQLite, for deterministic calls only.

The key hashes the canonical dialect-neutral body (every field that changes the
answer: messages, tools, tool_choice, temperature, max_tokens, stop, seed...), the
endpoint that answers (its URL with credentials redacted, and dialect), its model
and the tenant (tenants never read each other's answers). Credentials never enter it.
A corrupt file is moved aside and rebuilt, with a warning.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.tokens.canonical import encode_body, sha256_hex
from toolkit.tokens.sqlite import connect_wal, is_busy

__all__ = ["ResponseCache", "ResponseCacheWarning", "response_cache_key"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS responses ("
    " key TEXT PRIMARY KEY, model TEXT NOT NULL, created REAL NOT NULL, result TEXT NOT NULL)"
)


class ResponseCacheWarning(UserWarning):
    """The response cache file was unusable and has been rebuilt."""


def response_cache_key(
    core: Mapping[str, Any] | bytes, *, model: str, tenant: str | None, endpoint: str = ""
) -> str:
    """Hash of the canonical request body plus the endpoint, its model and the tenant.

    Args:
        core: The dialect-neutral body (no affinity fields, no stream flag), or its
            canonical encoding (`encode_body`).
        model: The endpoint's model.
        tenant: The tenant, or None.
        endpoint: Which server answers (``local``, or its URL with credentials redacted,
            plus the dialect): another server's answer is never replayed for this one.

    Returns:
        A SHA-256 hex digest.
    """
    encoded = core if isinstance(core, bytes) else encode_body(dict(core))
    return sha256_hex("toolkit-response-v2", endpoint, model, tenant or "", encoded)


class ResponseCache:
    """A persistent map from request key to a stored result (a JSON object).

    Args:
        path: SQLite file; created with its folder.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = self._open()

    def __repr__(self) -> str:
        return f"ResponseCache(path={str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection:
        conn = connect_wal(self.path, _SCHEMA)
        try:
            conn.execute("SELECT COUNT(*) FROM responses").fetchone()
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if is_busy(exc):
                raise  # another session holds it for too long: never mistake that for damage
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                sidecar = self.path.with_name(self.path.name + suffix)
                if sidecar.exists():
                    sidecar.replace(aside.with_name(aside.name + suffix))
            warnings.warn(
                f"Response cache {self.path} was unreadable ({exc}); moved it to {aside} "
                "and started an empty cache.",
                ResponseCacheWarning,
                stacklevel=3,
            )
            return self._connect()

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored result for ``key``, or None (an unreadable entry counts as a miss)."""
        with self._lock:
            try:
                row = self._conn.execute(
                    "SELECT result FROM responses WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.DatabaseError:
                return None
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, model: str, result: Mapping[str, Any]) -> None:
        """Store (or replace) the result for ``key``."""
        text = json.dumps(dict(result), ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses (key, model, created, result)"
                " VALUES (?, ?, ?, ?)",
                (key, model, time.time(), text),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
