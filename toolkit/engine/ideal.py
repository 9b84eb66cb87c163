"""The ideal bound on prefix-cache hits: an infinite block cache over a trace.

Each request hits its longest block-aligned prefix that some earlier request already
contained as full blocks. The same last-token rule as the real cache applies (a prompt of
`n` tokens hits at most ``(n - 1) // block_size`` blocks), so achieved / ideal <= 1 always
holds for a cache that sees the same trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from toolkit.engine.prefix_cache import block_keys

__all__ = ["ideal_hits"]


def ideal_hits(
    trace: Iterable[Sequence[int]],
    block_size: int = 16,
    salts: Iterable[str | None] | None = None,
) -> tuple[int, int]:
    """Hit tokens of an infinite cache over `trace`, and the trace's total prompt tokens.

    Args:
        trace: token-id sequences in arrival order.
        block_size: tokens per block.
        salts: optional per-request isolation keys (same length as `trace`).

    Returns:
        ``(hit_tokens, total_tokens)``.
    """
    if block_size < 1:
        raise ValueError(f"block_size must be >= 1, got {block_size}")
    seen: set[bytes] = set()
    hit_tokens = 0
    total_tokens = 0
    salt_iter = iter(salts) if salts is not None else None
    for token_ids in trace:
        salt = next(salt_iter) if salt_iter is not None else None
        keys = block_keys(token_ids, block_size, salt)
        max_hit = max(len(token_ids) - 1, 0) // block_size
        hit = 0
        while hit < len(keys) and hit < max_hit and keys[hit] in seen:
            hit += 1
        seen.update(keys[hit:])
        hit_tokens += hit * block_size
        total_tokens += len(token_ids)
    return hit_tokens, total_tokens
