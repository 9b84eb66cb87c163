"""A block-level prefix cache with vLLM's automatic-prefix-caching semantics.

- Prompts are cut into fixed-size blocks; only full blocks are cached.
- Each block's key chains its parent's key, its token ids and, for the first block, the
  extra keys (`cache_salt`, model), so one changed token misses every later block and
  different salts never share a block.
- The last prompt token is always computed: at most ``(len - 1) // block_size`` blocks hit.
- Blocks not in use sit in an LRU free queue and are evicted from its head when a new block
  needs room under `capacity_tokens`. A finished request returns its blocks tail first, so a
  request's tail is evicted before its head (vLLM frees blocks in reverse order).

Only keys are stored (16-byte BLAKE2b digests), never token ids, so memory per cached token
is small and keys are identical across processes (no Python `hash()`).
"""

from __future__ import annotations

import hashlib
import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CacheStats", "PrefixCache", "block_keys"]

_ROOT = b"toolkit-prefix-cache-v1"
_ITEMSIZE = array("I").itemsize


def block_keys(
    token_ids: Sequence[int], block_size: int, salt: str | None = None, *, limit: int | None = None
) -> list[bytes]:
    """Chained keys of the full blocks of `token_ids`.

    Args:
        token_ids: the prompt's token ids.
        block_size: tokens per block.
        salt: extra key mixed into the first block (cache salt, model, ...).
        limit: compute at most this many keys.

    Returns:
        One 16-byte key per full block, in order.
    """
    count = len(token_ids) // block_size
    if limit is not None:
        count = min(count, limit)
    if count <= 0:
        return []
    raw = array("I", token_ids[: count * block_size]).tobytes()
    width = block_size * _ITEMSIZE
    parent = hashlib.blake2b(
        _ROOT + b"\x00" + (salt or "").encode("utf-8"), digest_size=16
    ).digest()
    keys: list[bytes] = []
    append = keys.append
    blake2b = hashlib.blake2b
    for start in range(0, count * width, width):
        parent = blake2b(parent + raw[start : start + width], digest_size=16).digest()
        append(parent)
    return keys


@dataclass(frozen=True)
class CacheStats:
    """Counters of a prefix cache, in tokens unless named otherwise."""

    queries: int
    hits: int
    requests: int
    evicted_blocks: int
    cached_blocks: int
    capacity_blocks: int
    block_size: int

    @property
    def hit_rate(self) -> float:
        """Hit tokens over queried tokens (0 when nothing was queried)."""
        return self.hits / self.queries if self.queries else 0.0


class PrefixCache:
    """A thread-safe prefix cache over token ids (see the module docstring).

    Args:
        block_size: tokens per block (vLLM's default is 16).
        capacity_tokens: cache size in tokens; rounded down to whole blocks.
    """

    def __init__(self, block_size: int = 16, capacity_tokens: int = 1_048_576) -> None:
        if block_size < 1:
            raise ValueError(f"block_size must be >= 1, got {block_size}")
        if capacity_tokens < 0:
            raise ValueError(f"capacity_tokens must be >= 0, got {capacity_tokens}")
        self.block_size = block_size
        self.capacity_tokens = capacity_tokens
        self.capacity_blocks = capacity_tokens // block_size
        self._lru: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()
        self._queries = 0
        self._hits = 0
        self._requests = 0
        self._evicted = 0

    def peek(self, token_ids: Sequence[int], salt: str | None = None) -> int:
        """Tokens a request would find cached now, without touching the cache."""
        keys = block_keys(token_ids, self.block_size, salt, limit=self._max_hit_blocks(token_ids))
        with self._lock:
            hit = 0
            for key in keys:
                if key not in self._lru:
                    break
                hit += 1
        return hit * self.block_size

    def _max_hit_blocks(self, token_ids: Sequence[int]) -> int:
        return max(len(token_ids) - 1, 0) // self.block_size

    def match_and_insert(self, token_ids: Sequence[int], salt: str | None = None) -> int:
        """Look a prompt up, then cache its full blocks (one whole request, start to finish).

        Args:
            token_ids: the prompt's token ids.
            salt: isolation key (vLLM `cache_salt`, plus the model); `None` means none.

        Returns:
            The number of prompt tokens served from the cache.
        """
        keys = block_keys(token_ids, self.block_size, salt)
        max_hit = self._max_hit_blocks(token_ids)
        with self._lock:
            lru = self._lru
            hit = 0
            while hit < len(keys) and hit < max_hit and keys[hit] in lru:
                hit += 1
            in_use: list[bytes] = []
            for key in keys[:hit]:
                del lru[key]
                in_use.append(key)
            for key in keys[hit:]:
                if key in lru:
                    # Already cached but not countable as a hit (the last-token rule).
                    del lru[key]
                    in_use.append(key)
                    continue
                if len(lru) + len(in_use) >= self.capacity_blocks:
                    if not lru:
                        break
                    lru.popitem(last=False)
                    self._evicted += 1
                in_use.append(key)
            for key in reversed(in_use):
                lru[key] = None
            cached = hit * self.block_size
            self._queries += len(token_ids)
            self._hits += cached
            self._requests += 1
        return cached

    def stats(self) -> CacheStats:
        """A consistent snapshot of the counters."""
        with self._lock:
            return CacheStats(
                queries=self._queries,
                hits=self._hits,
                requests=self._requests,
                evicted_blocks=self._evicted,
                cached_blocks=len(self._lru),
                capacity_blocks=self.capacity_blocks,
                block_size=self.block_size,
            )

    def reset(self) -> None:
        """Drop every cached block and zero the counters."""
        with self._lock:
            self._lru.clear()
            self._queries = self._hits = self._requests = self._evicted = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._lru)

    def __repr__(self) -> str:
        return (
            f"PrefixCache(block_size={self.block_size}, capacity_tokens={self.capacity_tokens}, "
            f"cached_blocks={len(self)})"
        )
