"""Open the client's SQLite files (ledger, response cache) safely under concurrency.

Several sessions (threads or processes) may open the same file at once. Switching
to WAL and creating the schema need the write lock; done naively, a connection
that read the schema first cannot upgrade and gets "database is locked" at once,
without the busy timeout. So the schema is created inside ``BEGIN IMMEDIATE``
(which waits for the lock) and a busy open is retried for a bounded time.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

__all__ = ["connect_wal", "is_busy"]

_WAIT_S = 30.0


def is_busy(exc: BaseException) -> bool:
    """Whether a SQLite error only means another connection holds the lock."""
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def connect_wal(path: Path, schema: str, *, wait_s: float = _WAIT_S) -> sqlite3.Connection:
    """Connect to ``path`` in WAL mode and create ``schema``, waiting out other openers.

    Raises:
        sqlite3.DatabaseError: the file is not a usable database, or stayed locked for
            ``wait_s`` seconds.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        conn = sqlite3.connect(path, timeout=wait_s, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            body = schema.strip().rstrip(";")
            conn.executescript(f"BEGIN IMMEDIATE;\n{body};\nCOMMIT;")
        except sqlite3.DatabaseError as exc:
            conn.close()
            if not is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            continue
        return conn
