"""The common base of the toolkit's embedders.

Every embedder is at once a LangChain ``Embeddings`` (``embed_documents``,
``embed_query``) and a chromadb ``EmbeddingFunction`` (``__call__``, ``name``,
``get_config``, ``build_from_config``), so the same object feeds a
LangChain vector store, a raw Chroma collection and our ``KnowledgeStore``.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from langchain_core.embeddings import Embeddings as LangChainEmbeddings

__all__ = ["Embedder"]


class Embedder(LangChainEmbeddings, EmbeddingFunction[Documents]):
    """Base class: subclasses implement :meth:`embed` and the chromadb config methods."""

    #: Length of every vector this embedder returns.
    dimension: int

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts into a ``(len(texts), dimension)`` float32 array, L2-normalised."""

    @property
    def signature(self) -> str:
        """What a store records to detect a later switch to an incompatible embedder.

        Two embedders with the same signature produce vectors in the same space.
        """
        return f"{self.name()}/{self.dimension}"

    def __call__(self, input: Documents) -> Embeddings:
        """Chromadb's entry point: one vector per document."""
        return list(self.embed(list(input)))

    def embed_query(  # type: ignore[override]
        self, text: str | None = None, *, input: Documents | None = None
    ) -> Any:
        """Embed a query, for either caller.

        LangChain calls ``embed_query(text)`` and wants one vector; chromadb calls
        ``embed_query(input=[...])`` and wants one vector per text. Both names
        meet here because the class is both interfaces.
        """
        if input is not None:
            return self(input)
        if text is None:
            raise TypeError("embed_query() needs a text")
        vector: list[float] = self.embed([text])[0].tolist()
        return vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain's document entry point."""
        rows: list[list[float]] = self.embed(texts).tolist()
        return rows

    def default_space(self) -> Any:
        """Vectors are unit length, so cosine is the natural space."""
        return "cosine"

    def supported_spaces(self) -> Any:
        """Cosine and inner product agree on unit vectors; l2 ranks the same way."""
        return ["cosine", "ip", "l2"]


def l2_normalise(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Scale each row to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return out
