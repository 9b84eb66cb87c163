"""A feature-hashing embedder: deterministic, instant, and semantically blind.

For unit tests only: it matches words, not meaning, so paraphrases with no
shared words score zero. Production stores use :class:`OfflineEmbeddings`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from chromadb.utils.embedding_functions import register_embedding_function

from toolkit.retrieval.embedder import Embedder, l2_normalise

__all__ = ["HashingEmbeddings"]

_WORD = re.compile(r"\w+", re.UNICODE)


@register_embedding_function
class HashingEmbeddings(Embedder):
    """Signed feature hashing of lower-cased words into ``dimension`` buckets.

    Args:
        dimension: Number of buckets (the vector length).
    """

    def __init__(self, dimension: int = 256) -> None:
        if dimension < 8:
            raise ValueError(f"dimension must be at least 8, got {dimension}")
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Hash each text's words into a unit vector."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest())
                sign = 1.0 if digest & 1 else -1.0
                out[row, (digest >> 1) % self.dimension] += sign
        return l2_normalise(out)

    @staticmethod
    def name() -> str:
        """The name chromadb records in a collection's configuration."""
        return "toolkit-hashing"

    def get_config(self) -> dict[str, Any]:
        """Everything needed to rebuild this embedder."""
        return {"dimension": self.dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddings:
        """Rebuild from :meth:`get_config` output."""
        return HashingEmbeddings(dimension=int(config.get("dimension", 256)))

    def __repr__(self) -> str:
        return f"HashingEmbeddings(dimension={self.dimension})"
