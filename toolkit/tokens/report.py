"""Usage reports read back from a ledger file (the `toolkit tokens usage` command)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from toolkit.errors import ConfigError, UsageError
from toolkit.tokens.ledger import _GROUPS, GroupBy, Ledger

__all__ = ["usage_report"]


def usage_report(
    ledger_path: str | Path, *, by: str = "tenant", day: str | None = None
) -> list[dict[str, Any]]:
    """Totals per group from an existing ledger, as rows ready to print or dump as JSON.

    Args:
        ledger_path: The ledger's SQLite file.
        by: Group by project, tenant, session, endpoint, day, model or status.
        day: Only this UTC day (YYYY-MM-DD).

    Returns:
        One dict per group with calls, errors, token counts, cache hit rate, cost and
        ``unknown_usage`` (calls whose endpoint reported no usage: the sums are a floor).

    Raises:
        ConfigError: The ledger file does not exist or is not a ledger.
        UsageError: ``by`` is not a known column.
    """
    path = Path(ledger_path)
    if not path.is_file():
        raise ConfigError(
            file=str(path), problem="no ledger here; pass the ledger_path a client used"
        )
    if by not in _GROUPS:
        raise UsageError(f"--by must be one of {', '.join(_GROUPS)}, got {by!r}.")
    ledger = Ledger(path)
    try:
        totals = ledger.totals(cast(GroupBy, by), day=day)
    finally:
        ledger.close()
    return [
        {
            by: group or "(none)",
            "calls": t.calls,
            "errors": t.errors,
            "prompt_tokens": t.prompt_tokens,
            "cached_tokens": t.cached_tokens,
            "cache_write_tokens": t.cache_write_tokens,
            "completion_tokens": t.completion_tokens,
            "cache_hit_rate": round(t.cache_hit_rate, 4),
            "cost": round(t.cost, 6),
            "unknown_usage": t.unknown_usage,
        }
        for group, t in totals.items()
    ]
