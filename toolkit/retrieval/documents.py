"""Read a knowledge folder: Markdown and plain-text documents, with front matter.

Files that cannot be read as text (binary, not UTF-8, unreadable, of another
type) are skipped with a warning naming them; they never stop an ingest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import KnowledgeFolderError
from toolkit.retrieval.chunking import Chunk, chunk_markdown, chunk_text, parse_front_matter

__all__ = ["MARKDOWN_SUFFIXES", "TEXT_SUFFIXES", "SourceDocument", "read_folder"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
#: Bump when chunking changes, so every document is re-chunked on the next ingest.
CHUNKER_VERSION = 1


@dataclass(frozen=True)
class SourceDocument:
    """One document of a knowledge folder, chunked."""

    doc_id: str
    path: Path
    title: str
    trust: str
    tags: tuple[str, ...]
    content_hash: str
    chunks: list[Chunk] = field(repr=False)
    extra: tuple[tuple[str, str | int | float | bool], ...] = ()


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def read_folder(
    folder: Path, *, chunk_size: int, chunk_overlap: int
) -> tuple[list[SourceDocument], list[str]]:
    """Read and chunk every Markdown and text document under ``folder``.

    Args:
        folder: The knowledge folder; sub-folders are read too, hidden ones are not.
        chunk_size: Upper bound on a chunk's text, in characters.
        chunk_overlap: Overlap between consecutive chunks of one section.

    Returns:
        The documents (sorted by id) and warnings about skipped files.

    Raises:
        KnowledgeFolderError: ``folder`` does not exist or is not a folder.
    """
    if not folder.is_dir():
        raise KnowledgeFolderError(path=str(folder))
    documents: list[SourceDocument] = []
    warnings: list[str] = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if _is_hidden(relative) or path.is_dir():
            continue
        doc_id = relative.as_posix()
        suffix = path.suffix.lower()
        if suffix not in MARKDOWN_SUFFIXES | TEXT_SUFFIXES:
            warnings.append(f"skipped {path}: not a Markdown (.md) or text (.txt) file")
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            warnings.append(f"skipped {path}: unreadable ({exc.strerror or type(exc).__name__})")
            continue
        if b"\x00" in raw[:8192]:
            warnings.append(f"skipped {path}: binary content")
            continue
        try:
            text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError as exc:
            warnings.append(f"skipped {path}: not UTF-8 text (byte {exc.start})")
            continue
        front, body, notes = parse_front_matter(text, source=str(path))
        warnings.extend(notes)
        chunker = chunk_markdown if suffix in MARKDOWN_SUFFIXES else chunk_text
        chunks = chunker(
            doc_id, body, title=front.title, chunk_size=chunk_size, chunk_overlap=chunk_overlap
        )
        if not chunks:
            warnings.append(f"skipped {path}: no text")
            continue
        settings = f"{CHUNKER_VERSION}:{chunk_size}:{chunk_overlap}:".encode()
        documents.append(
            SourceDocument(
                doc_id=doc_id,
                path=path,
                title=chunks[0].title,
                trust=front.trust,
                tags=front.tags,
                content_hash=hashlib.sha256(settings + raw).hexdigest(),
                chunks=chunks,
                extra=front.extra,
            )
        )
    return documents, warnings
