"""Find retrieved passages, with their ids, inside message text.

Recognised forms (the common ways agents inline retrieval results):
``<passage id="kb-1">text</passage>`` (also document/doc/source/chunk tags),
a JSON list of objects with an ``id`` and a ``text``/``content``/``page_content`` field,
and lines starting with a bracketed id, ``[kb/pumps.md#2] text`` (continuation lines and
paragraphs belong to the passage above, up to a Markdown heading or a question).

Where a passage comes from rides along in either form: ``title``/``section`` attributes of a
tag, ``title``/``section`` keys of a JSON object, or a source note right after a bracketed
id, ``[kb/pumps.md#2] (title: "Pump guide", section: "Sizing > Head") text``
(JSON strings, so quotes and parentheses inside a title are escaped, never ambiguous).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

__all__ = ["Passage", "find_passages", "source_note", "strip_passages"]

_TAGGED = re.compile(
    r"<(passage|document|doc|source|chunk|context)\b([^>]*)>(.*?)</\1>", re.DOTALL | re.IGNORECASE
)
_TAG_ID = re.compile(r"""\b(?:id|doc_id|source)\s*=\s*["']?([^"'\s>]+)""")
_TAG_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_JSON_STRING = r'"(?:[^"\\\n]|\\.)*"'
_SOURCE_NOTE = re.compile(
    rf"^\(title:\s*({_JSON_STRING})(?:,\s*section:\s*({_JSON_STRING}))?\)[ \t]*\n?[ \t]*"
)
_BRACKETED = re.compile(r"^[ \t>*-]*\[([^\[\]\s]{1,120})\][ \t]*[:\-–—]?[ \t]*(.*)$", re.MULTILINE)  # noqa: RUF001
_TEXT_KEYS = ("text", "content", "page_content", "snippet", "passage")


_QUARANTINE_START = re.compile(r"\[QUARANTINED\b[^\]\n]*\]", re.IGNORECASE)
_QUARANTINE_END = re.compile(r"\[END QUARANTINED[^\]\n]*\]", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """One retrieved passage."""

    id: str
    text: str
    title: str = ""
    section: str = ""

    @property
    def source(self) -> str:
        """Where the passage comes from: ``Title, Section``, the title alone, or the id."""
        if self.title and self.section:
            return f"{self.title}, {self.section}"
        return self.title or self.id

    @property
    def quarantined(self) -> bool:
        """True when compliance quoted this passage as untrusted data (`[QUARANTINED ...]`)."""
        return bool(_QUARANTINE_START.search(self.text))


def _quarantined_regions(text: str) -> list[tuple[int, int]]:
    regions = []
    for start in _QUARANTINE_START.finditer(text):
        end = _QUARANTINE_END.search(text, start.end())
        regions.append((start.start(), end.end() if end else len(text)))
    return regions


def _from_json(text: str) -> list[Passage]:
    found: list[Passage] = []
    start = text.find("[")
    decoder = json.JSONDecoder()
    while start >= 0:
        try:
            value, length = decoder.raw_decode(text[start:])
        except json.JSONDecodeError:
            start = text.find("[", start + 1)
            continue
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, dict) or "id" not in item:
                    continue
                body = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str)), None)
                if body is not None:
                    found.append(
                        _with_source(
                            str(item["id"]),
                            body.strip(),
                            str(item.get("title") or ""),
                            str(item.get("section") or ""),
                        )
                    )
        start = text.find("[", start + max(length, 1))
    return found


def find_passages(text: str) -> list[Passage]:
    """Passages in `text`, in order of appearance (empty when there are none)."""
    tagged = []
    for match in _TAGGED.finditer(text):
        ident = _TAG_ID.search(match.group(2))
        if ident:
            title, section = (_attribute(match.group(2), key) for key in ("title", "section"))
            tagged.append(_with_source(ident.group(1), match.group(3).strip(), title, section))
    if tagged:
        return tagged
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) or '"id"' in text:
        from_json = _from_json(text)
        if from_json:
            return from_json
    passages: list[Passage] = []
    # A bracketed line inside quarantined text is part of that text, never a new passage
    # (an injected "[kb/x] ..." line must not pass for a trusted passage).
    regions = _quarantined_regions(text)
    matches = [
        m
        for m in _BRACKETED.finditer(text)
        if not any(start < m.start() < end for start, end in regions)
    ]
    for index, match in enumerate(matches):
        label = match.group(1)
        if not re.search(r"[A-Za-z0-9]", label):
            continue
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = (match.group(2) + text[match.end() : end]).strip()
        passage = _with_source(label, body, "", "")
        body = passage.text
        if not _QUARANTINE_START.match(body):
            body = _own_paragraphs(body)
        if body:
            passages.append(Passage(label, body, passage.title, passage.section))
    return passages


def _attribute(attributes: str, name: str) -> str:
    match = re.search(_TAG_ATTRIBUTE.format(name=name), attributes)
    return " ".join(html.unescape(match.group(1) or match.group(2) or "").split()) if match else ""


def _with_source(ident: str, body: str, title: str, section: str) -> Passage:
    """A passage, its leading source note (if any) read into `title` and `section`."""
    note = _SOURCE_NOTE.match(body)
    if note:
        try:
            title = str(json.loads(note.group(1)))
            section = str(json.loads(note.group(2))) if note.group(2) else ""
        except json.JSONDecodeError:
            note = None
        else:
            body = body[note.end() :]
    return Passage(ident, body.strip(), " ".join(title.split()), " ".join(section.split()))


def source_note(title: str, section: str = "") -> str:
    """The source note a bracketed passage line carries: ``(title: "...", section: "...")``."""
    note = f"(title: {json.dumps(title, ensure_ascii=False)}"
    if section:
        note += f", section: {json.dumps(section, ensure_ascii=False)}"
    return note + ")"


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"^#{1,6}\s")
_QUESTION = re.compile(r"^(?:question|q|问题)\s*[:：]|[?？]$", re.IGNORECASE)  # noqa: RUF001


def _own_paragraphs(body: str) -> str:
    """A passage's paragraphs, blank lines kept, up to a Markdown heading.

    A heading starts the next context section; a question as the very last paragraph is the
    user's, not the passage's.
    """
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(body) if p.strip()]
    kept: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        last = number == len(paragraphs) - 1
        if kept and (_HEADING.match(paragraph) or (last and _QUESTION.search(paragraph))):
            break
        kept.append(paragraph)
    return "\n\n".join(kept)


def strip_passages(text: str) -> str:
    """`text` without its passages (what is left is a question or a header)."""
    if _from_json(text):
        try:
            json.loads(text)
            return ""
        except json.JSONDecodeError:
            pass
    text = _TAGGED.sub(" ", text)
    kept: list[str] = []
    in_passage = False
    for line in text.splitlines():
        if _BRACKETED.match(line):
            in_passage = True
            continue
        if not line.strip():
            in_passage = False
            continue
        if not in_passage:
            kept.append(line)
    return "\n".join(kept).strip()
