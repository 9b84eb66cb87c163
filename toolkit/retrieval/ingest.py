"""Bring a Chroma collection in line with a knowledge folder, idempotently.

The plan compares each document's content hash and chunk ids with what the
collection holds: unchanged documents cost nothing, only chunks whose id is
new are embedded, a changed document's stale chunks are deleted after its new
ones are written, and documents gone from the folder are deleted. Writes
happen in that order, so an interrupted ingest leaves a store that still
answers (at worst with a document's old and new chunks side by side) and that
the next run completes without re-embedding what was already written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.retrieval.chunking import Chunk
from toolkit.retrieval.documents import SourceDocument, read_folder
from toolkit.retrieval.embedder import Embedder

__all__ = ["IngestReport", "ProgressCallback", "sync_folder"]

#: Called with (chunks embedded so far, chunks to embed in this run).
ProgressCallback = Callable[[int, int], None]
_PAGE = 1000


@dataclass(frozen=True)
class IngestReport:
    """What an ingest changed. Document counts, plus chunk counts and warnings.

    Attributes:
        added: Documents new to the store.
        updated: Documents whose content (or front matter) changed.
        removed: Documents deleted because their file is gone.
        unchanged: Documents left as they were, at no embedding cost.
        chunks: Chunks in the store after the ingest.
        embedded: Chunks embedded during this run.
        warnings: Files skipped or read with problems, each naming the file.
        folder: The folder that was ingested.
    """

    added: int
    updated: int
    removed: int
    unchanged: int
    chunks: int
    embedded: int = 0
    warnings: tuple[str, ...] = ()
    folder: str = ""

    @property
    def documents(self) -> int:
        """Documents in the store after the ingest."""
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for people: what changed, or why the store is empty."""
        if self.documents == 0:
            return (
                f"No documents found in {self.folder}: the store is empty. Add Markdown (.md) "
                "or text (.txt) files there and run the ingest again."
            )
        return (
            f"{self.documents} documents, {self.chunks} chunks: {self.added} added, "
            f"{self.updated} updated, {self.removed} removed, {self.unchanged} unchanged; "
            f"{self.embedded} chunks embedded"
        )


@dataclass
class _Stored:
    ids: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    trust: set[str] = field(default_factory=set)


def _stored_documents(collection: Any) -> dict[str, _Stored]:
    stored: dict[str, _Stored] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
        for chunk_id, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
            entry = stored.setdefault(str((meta or {}).get("doc_id", "")), _Stored())
            entry.ids.add(chunk_id)
            entry.hashes.add(str((meta or {}).get("doc_hash", "")))
        if len(page["ids"]) < _PAGE:
            return stored
        offset += _PAGE


def chunk_metadata(doc: SourceDocument, chunk: Chunk) -> dict[str, str | int | float | bool]:
    """The metadata stored with a chunk (and returned with a search result).

    Other scalar front-matter keys (``region``, ``classification``...) ride along, so
    retrieval-stage compliance rules (``access``) can act on them.
    """
    return {
        **dict(doc.extra),
        "doc_id": doc.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "trust": doc.trust,
        "tags": ",".join(doc.tags),
        "doc_hash": doc.content_hash,
        "chunk_index": chunk.index,
        "chunk_count": len(doc.chunks),
    }


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_folder(
    collection: Any,
    embedder: Embedder,
    folder: Path,
    *,
    chunk_size: int,
    chunk_overlap: int,
    batch_size: int = 64,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Make ``collection`` hold exactly the chunks of the documents in ``folder``.

    Args:
        collection: A chromadb collection.
        embedder: Embeds the chunks that are not in the collection yet.
        folder: The knowledge folder.
        chunk_size: Upper bound on a chunk's text, in characters.
        chunk_overlap: Overlap between consecutive chunks of one section.
        batch_size: Chunks embedded and written per step.
        progress: Called after each step with (embedded so far, to embed).

    Returns:
        What changed.
    """
    documents, warnings = read_folder(folder, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    stored = _stored_documents(collection)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    to_embed: list[tuple[SourceDocument, Chunk]] = []
    to_relabel: list[tuple[SourceDocument, Chunk]] = []
    stale: list[str] = []
    for doc in documents:
        before = stored.pop(doc.doc_id, None)
        ids = {chunk.id for chunk in doc.chunks}
        if before is not None and before.ids == ids and before.hashes == {doc.content_hash}:
            counts["unchanged"] += 1
            continue
        # Only part of this very version is stored: an add that was interrupted.
        partial = before is not None and before.hashes == {doc.content_hash} and before.ids < ids
        counts["added" if before is None or partial else "updated"] += 1
        kept = before.ids if before is not None else set()
        for chunk in doc.chunks:
            (to_relabel if chunk.id in kept else to_embed).append((doc, chunk))
        stale.extend(sorted(kept - ids))
    removed = sorted(chunk_id for entry in stored.values() for chunk_id in entry.ids)

    embedded = 0
    if progress is not None:
        progress(0, len(to_embed))
    for batch in _batches(to_embed, batch_size):
        vectors = embedder.embed([chunk.embedding_text for _, chunk in batch])
        collection.upsert(
            ids=[chunk.id for _, chunk in batch],
            embeddings=vectors,
            documents=[chunk.text for _, chunk in batch],
            metadatas=[chunk_metadata(doc, chunk) for doc, chunk in batch],
        )
        embedded += len(batch)
        if progress is not None:
            progress(embedded, len(to_embed))
    # Same text, new document hash or trust: only the metadata changes, no embedding.
    for batch in _batches(to_relabel, 1000):
        collection.update(
            ids=[chunk.id for _, chunk in batch],
            metadatas=[chunk_metadata(doc, chunk) for doc, chunk in batch],
        )
    for batch in _batches(stale + removed, 1000):
        collection.delete(ids=batch)
    return IngestReport(
        added=counts["added"],
        updated=counts["updated"],
        removed=len(stored),
        unchanged=counts["unchanged"],
        chunks=int(collection.count()),
        embedded=embedded,
        warnings=tuple(warnings),
        folder=str(folder),
    )
