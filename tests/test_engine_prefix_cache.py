"""The prefix cache and the ideal bound against brute-force references on random traces."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.engine import PrefixCache, ideal_hits


class ReferenceCache:
    """vLLM semantics spelled out naively: whole prefixes as keys, explicit recency stamps."""

    def __init__(self, block_size: int, capacity_tokens: int) -> None:
        self.block_size = block_size
        self.capacity = capacity_tokens // block_size
        self.entries: dict[tuple[object, ...], tuple[int, int]] = {}
        self.clock = 0

    def run(self, ids: list[int], salt: str | None) -> int:
        bs = self.block_size
        full = len(ids) // bs
        prefixes = [(salt, *ids[: (k + 1) * bs]) for k in range(full)]
        hit = 0
        while hit < min(full, (len(ids) - 1) // bs if ids else 0) and prefixes[hit] in self.entries:
            hit += 1
        in_use = set(prefixes[:hit])
        for prefix in prefixes[hit:]:
            if prefix in self.entries:
                in_use.add(prefix)
                continue
            if len(self.entries) >= self.capacity:
                evictable = [p for p in self.entries if p not in in_use]
                if not evictable:
                    break
                del self.entries[min(evictable, key=lambda p: self.entries[p])]
            self.entries[prefix] = (0, 0)
            in_use.add(prefix)
        # Released after the request: the whole request is more recent than anything else,
        # and within it earlier blocks are more recent than later ones (tail evicted first).
        self.clock += 1
        for prefix in in_use:
            self.entries[prefix] = (self.clock, -len(prefix))
        return hit * bs


def reference_ideal(trace: list[list[int]], bs: int) -> tuple[int, int]:
    seen: set[tuple[int, ...]] = set()
    hits = 0
    for ids in trace:
        best = 0
        for k in range(1, (len(ids) - 1) // bs + 1 if ids else 1):
            if tuple(ids[: k * bs]) in seen:
                best = k
            else:
                break
        hits += best * bs
        for k in range(1, len(ids) // bs + 1):
            seen.add(tuple(ids[: k * bs]))
    return hits, sum(len(ids) for ids in trace)


# Small alphabets and shared stems make prefix sharing (and eviction) frequent.
stems = st.lists(st.integers(0, 3), min_size=0, max_size=40)
traces = st.lists(
    st.tuples(
        st.integers(0, 2), st.lists(st.integers(0, 3), max_size=12), st.sampled_from([None, "a"])
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    stem_list=st.lists(stems, min_size=3, max_size=3),
    trace=traces,
    block_size=st.sampled_from([1, 2, 4]),
    capacity=st.integers(0, 40),
)
def test_matches_reference_with_eviction(
    stem_list: list[list[int]],
    trace: list[tuple[int, list[int], str | None]],
    block_size: int,
    capacity: int,
) -> None:
    cache = PrefixCache(block_size=block_size, capacity_tokens=capacity)
    reference = ReferenceCache(block_size, capacity)
    for stem_index, tail, salt in trace:
        ids = stem_list[stem_index] + tail
        assert cache.match_and_insert(ids, salt=salt) == reference.run(ids, salt)
        assert len(cache) == len(reference.entries) <= capacity // block_size


@settings(max_examples=200, deadline=None)
@given(
    stem_list=st.lists(stems, min_size=3, max_size=3),
    trace=traces,
    block_size=st.sampled_from([1, 2, 4]),
)
def test_ideal_matches_reference(
    stem_list: list[list[int]], trace: list[tuple[int, list[int], str | None]], block_size: int
) -> None:
    sequences = [stem_list[i] + tail for i, tail, _ in trace]
    assert ideal_hits(sequences, block_size) == reference_ideal(sequences, block_size)


@settings(max_examples=100, deadline=None)
@given(stem_list=st.lists(stems, min_size=3, max_size=3), trace=traces)
def test_achieved_never_exceeds_ideal(
    stem_list: list[list[int]], trace: list[tuple[int, list[int], str | None]]
) -> None:
    sequences = [stem_list[i] + tail for i, tail, _ in trace]
    cache = PrefixCache(block_size=2, capacity_tokens=10)
    achieved = sum(cache.match_and_insert(ids) for ids in sequences)
    assert achieved <= ideal_hits(sequences, 2)[0]


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 0), (16, 0), (17, 16), (32, 16), (33, 32), (100, 96)]
)
def test_repeated_prompt_reports_largest_multiple_strictly_below_length(
    length: int, expected: int
) -> None:
    cache = PrefixCache(block_size=16, capacity_tokens=10_000)
    ids = list(range(length))
    assert cache.match_and_insert(ids) == 0
    assert cache.match_and_insert(ids) == expected


def test_one_changed_token_misses_every_later_block() -> None:
    cache = PrefixCache(block_size=4, capacity_tokens=1000)
    ids = list(range(40))
    cache.match_and_insert(ids)
    changed = ids.copy()
    changed[9] = 999
    assert cache.match_and_insert(changed) == 8


def test_salt_isolates_tenants() -> None:
    cache = PrefixCache(block_size=4, capacity_tokens=1000)
    ids = list(range(40))
    cache.match_and_insert(ids, salt="tenant-a")
    assert cache.match_and_insert(ids, salt="tenant-b") == 0
    assert cache.match_and_insert(ids, salt="tenant-a") == 36


def test_counters_and_reset() -> None:
    cache = PrefixCache(block_size=4, capacity_tokens=8)
    cache.match_and_insert(list(range(12)))  # 3 full blocks, room for 2
    cache.match_and_insert(list(range(12)))
    cache.match_and_insert(list(range(100, 112)))
    stats = cache.stats()
    assert (stats.queries, stats.hits, stats.requests) == (36, 8, 3)
    assert stats.evicted_blocks == 2 and stats.cached_blocks == 2
    assert stats.hit_rate == pytest.approx(8 / 36)
    cache.reset()
    assert cache.stats().queries == 0 and len(cache) == 0


def test_peek_does_not_insert() -> None:
    cache = PrefixCache(block_size=4, capacity_tokens=100)
    ids = list(range(20))
    assert cache.peek(ids) == 0
    assert len(cache) == 0
    cache.match_and_insert(ids)
    assert cache.peek(ids) == 16


@pytest.mark.parametrize(("block_size", "capacity"), [(0, 10), (4, -1)])
def test_rejects_bad_configuration(block_size: int, capacity: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        PrefixCache(block_size=block_size, capacity_tokens=capacity)


def test_concurrent_use_keeps_counters_consistent() -> None:
    cache = PrefixCache(block_size=4, capacity_tokens=64)

    def work(offset: int) -> None:
        for i in range(200):
            cache.match_and_insert([offset, *range(i % 7, i % 7 + 30)])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats()
    assert stats.requests == 800 and stats.queries == 800 * 31
    assert stats.cached_blocks <= 16
