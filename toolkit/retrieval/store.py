"""``KnowledgeStore``: a project's documents in a Chroma collection.

Embedded by default (a ``PersistentClient`` under the project, ``.toolkit/chroma``),
or on a Chroma server by URL (``chroma run``) when one machine is not enough.
The collection records the embedder it was built with; opening it with an
incompatible one is refused, because its vectors would be compared with
vectors from another model.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import EmbedderMismatchError, StoreUnavailableError, UsageError
from toolkit.observability import end_retrieval, retrieval_span
from toolkit.retrieval.embedder import Embedder
from toolkit.retrieval.ingest import IngestReport, ProgressCallback, sync_folder

__all__ = ["DEFAULT_STORE_PATH", "KnowledgeStore", "Passage"]

DEFAULT_STORE_PATH = Path(".toolkit/chroma")
_EMBEDDER_KEY = "toolkit_embedder"
_COLLECTION_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]")


@dataclass(frozen=True)
class Passage:
    """One search result: a chunk, where it comes from, and how well it matches.

    Attributes:
        id: The chunk's stable id.
        doc_id: The document's path inside the knowledge folder.
        title: The document's title.
        section: The heading trail above the chunk (``""`` before the first heading).
        text: The chunk's text.
        score: Cosine similarity to the query, in [-1, 1]; higher is closer.
        metadata: Everything stored with the chunk, including ``trust`` and ``tags``.
    """

    id: str
    doc_id: str
    title: str
    section: str
    text: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def trust(self) -> str:
        """``trusted`` or ``untrusted``, from the document's front matter."""
        return str(self.metadata.get("trust", "untrusted"))


def _settings() -> Any:
    from chromadb.config import Settings

    # Telemetry would try the network; air-gapped machines must not even try.
    return Settings(anonymized_telemetry=False, allow_reset=False)


def _server_client(url: str) -> tuple[Any, list[Any]]:
    """Connect to a Chroma server; also return the chromadb systems this created."""
    import chromadb
    import httpx
    from chromadb.api.shared_system_client import SharedSystemClient

    try:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("not an http(s) URL")
    except (ValueError, httpx.InvalidURL) as exc:
        raise StoreUnavailableError(url=url, problem=f"invalid URL: {exc}") from exc
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    before = dict(SharedSystemClient._identifier_to_system)
    client = None
    try:
        client = chromadb.HttpClient(
            host=parsed.host, port=port, ssl=parsed.scheme == "https", settings=_settings()
        )
        client.heartbeat()
    except Exception as exc:  # chromadb wraps transport errors in several types
        _release(client, _new_systems(before))
        problem = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise StoreUnavailableError(url=url, problem=problem) from exc
    return client, _new_systems(before)


def _new_systems(before: dict[str, Any]) -> list[Any]:
    from chromadb.api.shared_system_client import SharedSystemClient

    return [
        system
        for key, system in SharedSystemClient._identifier_to_system.items()
        if before.get(key) is not system
    ]


def _release(client: Any, systems: list[Any]) -> None:
    """Close a client and the HTTP sessions of the chromadb systems created for it.

    chromadb's HTTP client opens one system per client (plus one for its admin
    client) and does not close their connection pools on ``close()``.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    if client is not None:
        client.close()
    registry = SharedSystemClient._identifier_to_system
    for system in systems:
        for key in [key for key, known in registry.items() if known is system]:
            del registry[key]
        for component in system.components():
            session = getattr(component, "_session", None)
            if session is not None and hasattr(session, "close"):
                session.close()


class KnowledgeStore:
    """A Chroma collection of a project's knowledge chunks.

    Args:
        path: Folder of an embedded ``PersistentClient`` (default ``.toolkit/chroma``).
        url: A Chroma server's URL, e.g. ``http://127.0.0.1:8000``; excludes ``path``.
        collection: The collection's name.
        embeddings: The embedder; default :class:`OfflineEmbeddings`.
        client: A ready chromadb client (tests pass ``chromadb.EphemeralClient()``).
        rebuild: Delete the collection first, e.g. to switch embedders.

    Raises:
        StoreUnavailableError: ``url`` is given and no Chroma server answers there.
        EmbedderMismatchError: the collection was built with an incompatible embedder.
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        url: str | None = None,
        collection: str = "knowledge",
        embeddings: Embedder | None = None,
        client: Any = None,
        rebuild: bool = False,
    ) -> None:
        if sum(option is not None for option in (path, url, client)) > 1:
            raise ValueError("give at most one of path, url and client")
        if not _COLLECTION_NAME.fullmatch(collection):
            raise UsageError(
                f"Collection name {collection!r} is not allowed: use 3-63 letters, digits, "
                "'.', '_' or '-', starting and ending with a letter or digit."
            )
        if embeddings is None:
            from toolkit.retrieval.offline import OfflineEmbeddings

            embeddings = OfflineEmbeddings()
        self.embeddings = embeddings
        self.name = collection
        self.location = url or str(Path(path) if path is not None else DEFAULT_STORE_PATH)
        self._owns_client = client is None
        self._systems: list[Any] = []
        if client is not None:
            self.location = "(injected client)"
        elif url is not None:
            client, self._systems = _server_client(url)
        else:
            import chromadb

            folder = Path(path) if path is not None else DEFAULT_STORE_PATH
            folder.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(folder), settings=_settings())
        self.client = client
        try:
            if rebuild:
                self._drop()
            self.collection = self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> Any:
        from chromadb.errors import NotFoundError

        current = self.embeddings.signature
        try:
            existing = self.client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            existing = None
        if existing is not None:
            stored = (existing.metadata or {}).get(_EMBEDDER_KEY, "(unknown)")
            if stored != current:
                raise EmbedderMismatchError(collection=self.name, stored=stored, current=current)
            return self.client.get_collection(self.name, embedding_function=self.embeddings)
        return self.client.create_collection(
            self.name,
            embedding_function=self.embeddings,
            metadata={_EMBEDDER_KEY: current},
            configuration={"hnsw": {"space": "cosine"}},
            get_or_create=True,
        )

    def __repr__(self) -> str:
        return (
            f"KnowledgeStore(location={self.location!r}, collection={self.name!r}, "
            f"embeddings={self.embeddings!r})"
        )

    def close(self) -> None:
        """Release the client (file handles, HTTP connections) if this store created it."""
        if not self._owns_client:
            return
        self._owns_client = False
        _release(self.client, self._systems)

    def __enter__(self) -> KnowledgeStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def count(self) -> int:
        """Chunks in the collection."""
        return int(self.collection.count())

    def _drop(self) -> None:
        from chromadb.errors import NotFoundError

        with contextlib.suppress(NotFoundError):
            self.client.delete_collection(self.name)

    def reset(self) -> None:
        """Delete the collection and create it empty, for the current embedder."""
        self._drop()
        self.collection = self._open()

    def ingest(
        self,
        folder: Path | str,
        *,
        chunk_size: int = 800,
        chunk_overlap: int = 100,
        batch_size: int = 64,
        progress: ProgressCallback | None = None,
    ) -> IngestReport:
        """Make the store hold exactly the chunks of the documents in ``folder``.

        Idempotent: unchanged documents cost no embedding; changed ones replace
        their chunks; deleted ones disappear; an interrupted run is completed
        by the next one.

        Args:
            folder: The knowledge folder (Markdown and text, sub-folders included).
            chunk_size: Upper bound on a chunk's text, in characters.
            chunk_overlap: Overlap between consecutive chunks of one section.
            batch_size: Chunks embedded and written per step.
            progress: Called with (chunks embedded so far, chunks to embed).

        Raises:
            KnowledgeFolderError: the folder does not exist.
        """
        return sync_folder(
            self.collection,
            self.embeddings,
            Path(folder),
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            batch_size=batch_size,
            progress=progress,
        )

    def search(self, query: str, k: int = 4, where: dict[str, Any] | None = None) -> list[Passage]:
        """The ``k`` chunks closest in meaning to ``query``, best first.

        Args:
            query: The question or search text.
            k: How many passages to return (fewer if the store holds fewer).
            where: A Chroma metadata filter, e.g. ``{"trust": "trusted"}``.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        with retrieval_span(data_source=self.name, top_k=k, query=query) as search:
            passages = self._search(query, k, where)
            end_retrieval(search, document_ids=[p.doc_id for p in passages])
        return passages

    def _search(self, query: str, k: int, where: dict[str, Any] | None) -> list[Passage]:
        total = self.count()
        if total == 0 or not query.strip():
            return []
        vector = self.embeddings.embed([query])
        result = self.collection.query(
            query_embeddings=vector,
            n_results=min(k, total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        passages = []
        for chunk_id, text, meta, distance in zip(
            result["ids"][0],
            (result["documents"] or [[]])[0],
            (result["metadatas"] or [[]])[0],
            (result["distances"] or [[]])[0],
            strict=True,
        ):
            metadata = dict(meta or {})
            passages.append(
                Passage(
                    id=chunk_id,
                    doc_id=str(metadata.get("doc_id", "")),
                    title=str(metadata.get("title", "")),
                    section=str(metadata.get("section", "")),
                    text=text or "",
                    score=1.0 - float(distance),
                    metadata=metadata,
                )
            )
        return passages

    def as_retriever(self, *, k: int = 4, where: dict[str, Any] | None = None) -> Any:
        """A LangChain ``BaseRetriever`` over this store (see :class:`KnowledgeRetriever`)."""
        from toolkit.retrieval.retriever import KnowledgeRetriever

        return KnowledgeRetriever(store=self, k=k, where=where)
