"""The ledger: one durable SQLite row per completed call, and totals to read back.

WAL mode with a busy timeout lets several processes append at once without
losing a row; each insert is its own committed transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from toolkit.errors import ConfigError
from toolkit.tokens.sqlite import connect_wal

__all__ = ["Ledger", "LedgerRow", "Totals", "utc_day"]

GroupBy = Literal["project", "tenant", "session", "endpoint", "day", "model", "status"]
_GROUPS = ("project", "tenant", "session", "endpoint", "day", "model", "status")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    day TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    tenant TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT '',
    endpoint TEXT NOT NULL,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL,
    latency_ms REAL NOT NULL,
    from_cache INTEGER NOT NULL,
    request_hash TEXT NOT NULL DEFAULT '',
    usage_known INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS calls_tenant_day ON calls (tenant, day);
CREATE INDEX IF NOT EXISTS calls_project_day ON calls (project, day);
"""


def utc_day(ts: float | None = None) -> str:
    """The UTC date (YYYY-MM-DD) of a Unix time, now by default."""
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class LedgerRow:
    """One call as recorded. ``status`` is ``ok``, ``cache_hit`` or an error class name.

    ``usage_known`` is False when the endpoint reported no usage (its token counts are
    then 0 because nobody knows them).
    """

    endpoint: str
    model: str
    status: str
    prompt_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    latency_ms: float = 0.0
    from_cache: bool = False
    project: str = ""
    tenant: str = ""
    session: str = ""
    request_hash: str = ""
    ts: float = 0.0
    usage_known: bool = True


@dataclass(frozen=True)
class Totals:
    """Sums over a group of ledger rows.

    ``unknown_usage`` counts calls whose tokens were not reported: the sums are a floor.
    """

    calls: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    unknown_usage: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    @property
    def cache_hit_rate(self) -> float:
        """Cached prompt tokens over prompt tokens (0 when there were none)."""
        return self.cached_tokens / self.prompt_tokens if self.prompt_tokens else 0.0


class Ledger:
    """A SQLite ledger of calls.

    Args:
        path: Database file (created with its folder), or None for an in-memory
            ledger that lives as long as this object.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._lock = threading.Lock()
        try:
            if self.path is None:
                self._conn = sqlite3.connect(":memory:", check_same_thread=False)
            else:
                self._conn = connect_wal(self.path, _SCHEMA)
                self._conn.execute("PRAGMA synchronous=NORMAL")
            if self.path is None:
                self._conn.executescript(_SCHEMA)
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                file=str(self.path), problem=f"not a usable ledger database ({exc})"
            ) from exc

    def _migrate(self) -> None:
        """Add columns that ledgers written by earlier versions lack."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(calls)")}
        if "usage_known" in columns:
            return
        try:
            self._conn.execute(
                "ALTER TABLE calls ADD COLUMN usage_known INTEGER NOT NULL DEFAULT 1"
            )
        except sqlite3.OperationalError as exc:
            if "duplicate column" not in str(exc).lower():  # another process added it first
                raise

    def __repr__(self) -> str:
        return f"Ledger(path={str(self.path) if self.path else ':memory:'!r})"

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def record(self, row: LedgerRow) -> None:
        """Append one row durably (committed before returning)."""
        ts = row.ts or time.time()
        values = (
            ts,
            utc_day(ts),
            row.project,
            row.tenant,
            row.session,
            row.endpoint,
            row.model,
            row.status,
            row.prompt_tokens,
            row.cached_tokens,
            row.cache_write_tokens,
            row.completion_tokens,
            row.cost,
            row.latency_ms,
            int(row.from_cache),
            row.request_hash,
            int(row.usage_known),
        )
        with self._lock:
            self._conn.execute(
                "INSERT INTO calls (ts, day, project, tenant, session, endpoint, model, status,"
                " prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens, cost,"
                " latency_ms, from_cache, request_hash, usage_known)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            if self.path is None:
                self._conn.commit()

    def rows(self) -> Iterator[LedgerRow]:
        """Every row, oldest first."""
        with self._lock:
            fetched = self._conn.execute(
                "SELECT endpoint, model, status, prompt_tokens, cached_tokens,"
                " cache_write_tokens, completion_tokens, cost, latency_ms, from_cache,"
                " project, tenant, session, request_hash, ts, usage_known FROM calls ORDER BY id"
            ).fetchall()
        for r in fetched:
            yield LedgerRow(
                endpoint=r[0],
                model=r[1],
                status=r[2],
                prompt_tokens=r[3],
                cached_tokens=r[4],
                cache_write_tokens=r[5],
                completion_tokens=r[6],
                cost=r[7],
                latency_ms=r[8],
                from_cache=bool(r[9]),
                project=r[10],
                tenant=r[11],
                session=r[12],
                request_hash=r[13],
                ts=r[14],
                usage_known=bool(r[15]),
            )

    def totals(
        self,
        by: GroupBy = "tenant",
        *,
        day: str | None = None,
        tenant: str | None = None,
        project: str | None = None,
    ) -> dict[str, Totals]:
        """Sum rows grouped by one column, optionally filtered.

        Args:
            by: The column to group by: project, tenant, session, endpoint, day, model, status.
            day: Only rows of this UTC day (YYYY-MM-DD).
            tenant: Only rows of this tenant.
            project: Only rows of this project.

        Returns:
            Group value to `Totals`.
        """
        if by not in _GROUPS:
            raise ValueError(f"cannot group the ledger by {by!r}; use one of {_GROUPS}")
        where, params = self._filters(day=day, tenant=tenant, project=project)
        sql = (
            f"SELECT {by}, COUNT(*), SUM(status NOT IN ('ok', 'cache_hit')), SUM(prompt_tokens),"
            " SUM(cached_tokens), SUM(cache_write_tokens), SUM(completion_tokens),"
            " TOTAL(cost), SUM(usage_known = 0)"
            f" FROM calls{where} GROUP BY {by} ORDER BY {by}"
        )
        with self._lock:
            fetched = self._conn.execute(sql, params).fetchall()
        return {
            str(r[0]): Totals(r[1], r[2], r[3], r[4], r[5], r[6], float(r[7]), int(r[8] or 0))
            for r in fetched
        }

    def spent(self, *, day: str, tenant: str | None = None, project: str | None = None) -> Totals:
        """Totals for one day, tenant and/or project (zeros when nothing was spent)."""
        where, params = self._filters(day=day, tenant=tenant, project=project)
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(status NOT IN ('ok', 'cache_hit')), 0),"
            " COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(cached_tokens), 0),"
            " COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(completion_tokens), 0),"
            " TOTAL(cost), COALESCE(SUM(usage_known = 0), 0)"
            f" FROM calls{where}"
        )
        with self._lock:
            r = self._conn.execute(sql, params).fetchone()
        return Totals(r[0], r[1], r[2], r[3], r[4], r[5], float(r[6]), int(r[7]))

    @staticmethod
    def _filters(
        *, day: str | None, tenant: str | None, project: str | None
    ) -> tuple[str, list[str]]:
        clauses: list[str] = []
        params: list[str] = []
        for column, value in (("day", day), ("tenant", tenant), ("project", project)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
