"""Split documents into retrieval chunks that follow their Markdown headings.

A chunk never crosses a heading, so its ``section`` (the trail of headings
above it, e.g. ``"Affordability > Limits"``) describes all of its text. Long
sections are cut at paragraph, then sentence, then word boundaries into chunks
of at most ``chunk_size`` characters; consecutive chunks of a section share
about ``chunk_overlap`` characters so a fact cut in two is still found whole.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from toolkit.errors import ConfigError
from toolkit.yamlfile import load_yaml_text

__all__ = [
    "Chunk",
    "FrontMatter",
    "chunk_markdown",
    "chunk_text",
    "parse_front_matter",
    "split_text",
]

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
# Latin and CJK full stops, exclamation and question marks (U+3002, U+FF01, U+FF1F).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[\u3002\uff01\uff1f])(?=\S)")
_CJK_STOPS = "\u3002\uff01\uff1f"
_TRUST = ("trusted", "untrusted")
_META_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
# Keys the store sets itself; front matter cannot override them.
_RESERVED_KEYS = frozenset(
    {"title", "trust", "tags", "doc_id", "section", "doc_hash", "chunk_index", "chunk_count"}
)


@dataclass(frozen=True)
class FrontMatter:
    """What a document says about itself in its YAML front matter."""

    title: str | None = None
    trust: str = "trusted"
    tags: tuple[str, ...] = ()
    extra: tuple[tuple[str, str | int | float | bool], ...] = ()
    """Other scalar keys (e.g. ``region``, ``classification``), for retrieval-stage rules."""


@dataclass(frozen=True)
class Chunk:
    """One piece of one document, the unit that is embedded and retrieved."""

    doc_id: str
    index: int
    title: str
    section: str
    text: str

    @property
    def embedding_text(self) -> str:
        """What the model embeds: the text under its title and heading trail."""
        heading = f"{self.title} > {self.section}" if self.section else self.title
        return f"{heading}\n\n{self.text}"

    @property
    def id(self) -> str:
        """Stable id: the same document path, position and content give the same id."""
        key = f"{self.doc_id}\x00{self.index}\x00{self.embedding_text}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def parse_front_matter(text: str, *, source: str) -> tuple[FrontMatter, str, list[str]]:
    """Split YAML front matter (between ``---`` lines at the top) from the body.

    Returns:
        The front matter, the body without it, and warnings naming ``source``.
        A malformed block is reported and the document marked ``untrusted``:
        a document whose trust cannot be read must not be trusted.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return FrontMatter(), text, []
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return (
            FrontMatter(trust="untrusted"),
            text,
            [f"{source}: front matter starts with '---' but never ends; document marked untrusted"],
        )
    body = "\n".join(lines[end + 1 :])
    try:
        data: Any = load_yaml_text("\n".join(lines[1:end]), source=source) or {}
    except ConfigError as exc:
        problem = exc.problem
        return (
            FrontMatter(trust="untrusted"),
            body,
            [f"{source}: front matter is not valid YAML ({problem}); document marked untrusted"],
        )
    if not isinstance(data, dict):
        return (
            FrontMatter(trust="untrusted"),
            body,
            [f"{source}: front matter must be a mapping of keys; document marked untrusted"],
        )
    warnings: list[str] = []
    trust = str(data.get("trust", "trusted")).strip().lower()
    if trust not in _TRUST:
        warnings.append(
            f"{source}: front matter trust {data.get('trust')!r} is not 'trusted' or "
            "'untrusted'; document marked untrusted"
        )
        trust = "untrusted"
    raw_tags = data.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.split(",")
    if not isinstance(raw_tags, list):
        warnings.append(f"{source}: front matter tags must be a list; tags ignored")
        raw_tags = []
    tags = tuple(str(tag).strip() for tag in raw_tags if str(tag).strip())
    title = data.get("title")
    extra = tuple(
        (str(key), value)
        for key, value in sorted(data.items(), key=lambda item: str(item[0]))
        if str(key) not in _RESERVED_KEYS
        and _META_KEY.fullmatch(str(key))
        and isinstance(value, str | int | float | bool)
    )
    front = FrontMatter(str(title).strip() if title else None, trust, tags, extra)
    return front, body, warnings


def _sections(body: str) -> tuple[str | None, list[tuple[str, str]]]:
    """Split a Markdown body at ATX headings outside code fences.

    Returns the first level-1 heading (the document's own title, if it has one)
    and ``(heading trail, text)`` pairs; the title is not part of any trail.
    """
    title: str | None = None
    trail: list[tuple[int, str]] = []
    sections: list[tuple[str, str]] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        text = "\n".join(current).strip()
        if text:
            sections.append((" > ".join(name for _, name in trail), text))
        current.clear()

    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            current.append(line)
            continue
        flush()
        level, name = len(match.group(1)), match.group(2).strip()
        if level == 1 and title is None and not sections and not trail:
            title = name
            continue
        trail = [(lvl, text) for lvl, text in trail if lvl < level]
        trail.append((level, name))
    flush()
    return title, sections


def _units(text: str, size: int) -> list[tuple[str, str]]:
    """Cut text into ``(separator, piece)`` units no longer than ``size``."""
    units: list[tuple[str, str]] = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        separator = "\n\n"
        pieces = [paragraph] if len(paragraph) <= size else _SENTENCE_END.split(paragraph)
        for piece in pieces:
            if len(piece) <= size:
                units.append((separator, piece))
                separator = "" if piece[-1] in _CJK_STOPS else " "
                continue
            for word in piece.split():
                # A single "word" longer than the bound (a URL, a table row) is cut hard.
                for start in range(0, len(word), size):
                    units.append((separator, word[start : start + size]))
                    separator = " "
    return units


def _tail(text: str, overlap: int) -> str:
    if overlap <= 0 or len(text) <= overlap:
        return "" if overlap <= 0 else text
    cut = text[-overlap:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < len(cut) - 1 else cut


def split_text(text: str, *, chunk_size: int, chunk_overlap: int) -> list[str]:
    """Split text into pieces of at most ``chunk_size`` characters with overlap.

    Args:
        text: The text of one section.
        chunk_size: Upper bound on a piece's length, in characters.
        chunk_overlap: Characters (whole words) repeated from the end of one
            piece at the start of the next; must be less than ``chunk_size``.
    """
    if chunk_size < 20:
        raise ValueError(f"chunk_size must be at least 20 characters, got {chunk_size}")
    if not 0 <= chunk_overlap < chunk_size:
        raise ValueError(
            f"chunk_overlap must be in [0, chunk_size), got {chunk_overlap} (size {chunk_size})"
        )
    chunks: list[str] = []
    current = ""
    fresh = True  # current holds only overlap carried from the previous chunk
    for separator, piece in _units(text, chunk_size):
        joined = f"{current}{separator}{piece}" if current else piece
        if len(joined) <= chunk_size:
            current, fresh = joined, False
            continue
        if not fresh:
            chunks.append(current)
        tail = _tail(current, chunk_overlap)
        current = f"{tail} {piece}" if tail and len(tail) + 1 + len(piece) <= chunk_size else piece
        fresh = False
    if current and not fresh:
        chunks.append(current)
    return chunks


def chunk_markdown(
    doc_id: str, body: str, *, title: str | None, chunk_size: int, chunk_overlap: int
) -> list[Chunk]:
    """Chunk a Markdown body (front matter already removed).

    Args:
        doc_id: The document's id (its path inside the knowledge folder).
        body: Markdown text.
        title: Title from the front matter; else the first ``#`` heading; else the id.
        chunk_size: Upper bound on a chunk's text, in characters.
        chunk_overlap: Overlap between consecutive chunks of one section.
    """
    heading_title, sections = _sections(body)
    name = title or heading_title or _title_from_id(doc_id)
    chunks: list[Chunk] = []
    for section, text in sections:
        for piece in split_text(text, chunk_size=chunk_size, chunk_overlap=chunk_overlap):
            chunks.append(Chunk(doc_id, len(chunks), name, section, piece))
    return chunks


def chunk_text(
    doc_id: str, body: str, *, title: str | None, chunk_size: int, chunk_overlap: int
) -> list[Chunk]:
    """Chunk a plain-text body: paragraphs, no headings."""
    name = title or _title_from_id(doc_id)
    return [
        Chunk(doc_id, index, name, "", piece)
        for index, piece in enumerate(
            split_text(body, chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        )
    ]


def _title_from_id(doc_id: str) -> str:
    stem = doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[-_]+", " ", stem).strip() or doc_id
