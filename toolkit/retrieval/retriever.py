"""The LangChain retriever view of a :class:`KnowledgeStore`."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

__all__ = ["KnowledgeRetriever"]


class KnowledgeRetriever(BaseRetriever):
    """Returns a store's passages as LangChain ``Document`` objects.

    Each document's ``page_content`` is the passage text; its metadata holds the
    chunk's stored metadata plus ``id`` and ``score``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    k: int = Field(default=4, ge=1)
    where: dict[str, Any] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=passage.text,
                metadata={**passage.metadata, "id": passage.id, "score": passage.score},
                id=passage.id,
            )
            for passage in self.store.search(query, k=self.k, where=self.where)
        ]
