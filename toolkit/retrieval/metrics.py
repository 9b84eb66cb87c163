"""Retrieval metrics over expected document ids (binary relevance).

A ranking is the list of document ids a search returned, best first. Several
chunks of one document may appear; only a document's first (best) position
counts, so a document is never credited twice. Definitions follow Manning,
Raghavan & Schütze, *Introduction to Information Retrieval* (2008), ch. 8:
nDCG uses the ``1 / log2(rank + 1)`` discount and the ideal ranking of the
expected documents as normaliser.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from toolkit.errors import UsageError

__all__ = ["hit_at_k", "mrr", "ndcg", "recall_at_k"]


def _check(expected: Collection[str], k: int | None) -> None:
    if not expected:
        raise UsageError("expected document ids must not be empty: a query needs a right answer")
    if k is not None and k < 1:
        raise UsageError(f"k must be at least 1, got {k}")


def _unique(ranking: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def hit_at_k(ranking: Sequence[str], expected: Collection[str], k: int) -> float:
    """1.0 if any expected document is among the first ``k`` distinct documents, else 0.0."""
    _check(expected, k)
    wanted = set(expected)
    return 1.0 if any(doc in wanted for doc in _unique(ranking)[:k]) else 0.0


def recall_at_k(ranking: Sequence[str], expected: Collection[str], k: int) -> float:
    """Share of the expected documents found among the first ``k`` distinct documents."""
    _check(expected, k)
    wanted = set(expected)
    return len(wanted.intersection(_unique(ranking)[:k])) / len(wanted)


def mrr(ranking: Sequence[str], expected: Collection[str]) -> float:
    """Reciprocal rank of the first expected document (0.0 if none is returned).

    Averaged over queries, this is the mean reciprocal rank.
    """
    _check(expected, None)
    wanted = set(expected)
    for rank, doc in enumerate(_unique(ranking), start=1):
        if doc in wanted:
            return 1.0 / rank
    return 0.0


def ndcg(ranking: Sequence[str], expected: Collection[str], k: int | None = None) -> float:
    """Normalised discounted cumulative gain at ``k`` (all ranks if ``k`` is None)."""
    _check(expected, k)
    wanted = set(expected)
    ranked = _unique(ranking)
    cutoff = len(ranked) if k is None else k
    gain = sum(
        1.0 / math.log2(rank + 1)
        for rank, doc in enumerate(ranked[:cutoff], start=1)
        if doc in wanted
    )
    ideal_hits = min(len(wanted), cutoff) if k is not None else len(wanted)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, ideal_hits + 1))
    return gain / ideal
