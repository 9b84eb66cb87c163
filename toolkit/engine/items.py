# ruff: noqa: RUF001, RUF002
"""Read an array of objects from prose: one object per item segment.

The text is cut into pieces at list separators (``;``, new lines, bullets, commas, "and",
Chinese 、，；) but never inside a range ("between 50 and 200"). Pieces are grouped into
items: a piece that opens with a label of its own ("Unit B ...", "Shipment 2 ...") or that
repeats a field the current item already has starts the next item; a piece that adds
missing fields ("..., $20/MWh") joins the current one. Each piece is read with the scalar
machinery restricted to that piece, so numbers outside the items ("demand 350 MW", which
names another property of the tool) never leak into them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from toolkit.engine.fields import property_terms, schema_type
from toolkit.engine.quantities import Quantity
from toolkit.engine.similarity import terms
from toolkit.engine.spans import leading_label
from toolkit.engine.units import canonical_word

__all__ = ["ItemReading", "read_items"]

_BOUNDARY = re.compile(
    r"[;；\n、。：]|:\s+|,(?!\d{3})\s*|，|(?<=[A-Za-z\d%)\]])\.\s+|\s+and\s+|\s+plus\s+|\s+以及|和|及"
    r"|\s+[—–-]\s+"
)
_MAX_ITEMS = 50


@dataclass
class ItemReading:
    """The items read, the text spans they came from, and whether any item was incomplete."""

    items: list[dict[str, Any]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    incomplete: int = 0


@dataclass
class _Group:
    fields: dict[str, Any] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)
    labelled: bool = False
    numeric: int = 0


def _pieces(text: str, quantities: list[Quantity]) -> list[tuple[int, int]]:
    protected = [
        (low.start, high.end)
        for low, high in itertools.pairwise(quantities)
        if low.role == "low" and high.role == "high"
    ]
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        if any(start < match.start() < end for start, end in protected):
            continue
        cuts.extend([match.start(), match.end()])
    cuts.append(len(text))
    pieces = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if text[start:end].strip():
            pieces.append((start, end))
    return pieces


def _blank_outside(text: str, spans: list[tuple[int, int]]) -> str:
    chars = [" "] * len(text)
    for start, end in spans:
        chars[start:end] = text[start:end]
    return "".join(chars)


_NUMBERED = re.compile(r"\s*[A-Za-z\u3400-\u9fff]+\s*(?:no\.?|#)?\s*$", re.IGNORECASE)
_NOT_LABEL_AFTER = re.compile(r"\s*(?:[-–~至到]|to\b|and\b|%)", re.IGNORECASE)


def _label_number(
    text: str, start: int, end: int, quantities: list[Quantity]
) -> tuple[int, int] | None:
    """The number of an item label ("shipment 1 from ...", "Unit 3 50-200 MW"), if any."""
    inside = [q for q in quantities if start <= q.start < end]
    if not inside:
        return None
    first = inside[0]
    if first.unit is not None or first.role is not None or first.value != int(first.value):
        return None
    if not _NUMBERED.fullmatch(text[start : first.start]):
        return None
    if _NOT_LABEL_AFTER.match(text, first.end) or first.end >= end:
        return None
    return first.start, first.end


def _not_fields(
    text: str, start: int, end: int, quantities: list[Quantity], head_terms: set[str]
) -> list[tuple[int, int]]:
    """Numbers in a piece that are no field: an item's label number, a count of items."""
    spans = []
    numbered = _label_number(text, start, end, quantities)
    if numbered is not None:
        spans.append(numbered)
    for quantity in quantities:
        if not start <= quantity.start < end or quantity.unit is not None:
            continue
        following = terms(text[quantity.end : quantity.end + 30])[:1]
        if following and following[0] in head_terms:  # "3 units", "two items"
            spans.append((quantity.start, quantity.end))
    return spans


def _opening_words(text: str, start: int, end: int) -> list[str]:
    label = leading_label(text[start:end])
    return terms(label[0]) if label else []


def _gaps(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps = []
    position = 0
    for start, end in sorted(spans):
        if start > position:
            gaps.append((position, start))
        position = max(position, end)
    if position < length:
        gaps.append((position, length))
    return gaps


def read_items(
    text: str,
    items: dict[str, Any],
    quantities: list[Quantity],
    read: Callable[[dict[str, Any], str], tuple[dict[str, Any], list[str]]],
    *,
    outer_terms: set[str],
    head_terms: set[str],
) -> ItemReading:
    """Group the text's pieces into items of the `items` object schema.

    Args:
        text: the normalized request text.
        items: the resolved item schema (an object with properties).
        quantities: the numbers found in `text` (their ranges keep pieces whole).
        read: reads one segment; returns (fields read from it, fields defaulted).
        outer_terms: terms of the tool's other properties (a piece about one of them,
            such as "demand 350 MW", is not an item).
        head_terms: terms naming an item (the array's name: "units" -> "unit").

    Returns:
        The complete items in order, the spans they were read from, and how many groups
        had some fields but not all the required ones.
    """
    properties = items.get("properties") or {}
    required = [r for r in items.get("required", []) if isinstance(r, str)]
    numeric_fields = {
        key for key, prop in properties.items()
        if isinstance(prop, dict) and schema_type(prop) in ("number", "integer")
    }  # fmt: skip
    field_terms: set[str] = set()
    for key, prop in properties.items():
        name_terms, described = property_terms(key, prop if isinstance(prop, dict) else {})
        field_terms |= {t for t in name_terms | described if canonical_word(t) is None}
    groups: list[_Group] = []
    current: _Group | None = None
    for start, end in _pieces(text, quantities):
        piece = _blank_outside(text, [(start, end)])
        for a, b in _not_fields(text, start, end, quantities, head_terms):
            piece = piece[:a] + " " * (b - a) + piece[b:]
        values, defaulted = read(items, piece)
        found = {k: v for k, v in values.items() if k not in defaulted}
        if not found:
            continue
        words = set(terms(text[start:end]))
        opening = set(_opening_words(text, start, end))
        label = bool(opening & head_terms) or bool(
            opening and not opening & (field_terms | outer_terms)
        )
        if words & outer_terms and not words & (field_terms | head_terms) and not label:
            continue
        if (opening & outer_terms) and not (opening & head_terms):
            continue
        repeats = current is not None and any(
            k in current.fields and k in numeric_fields for k in found
        )
        if current is None or label or repeats:
            current = _Group()
            groups.append(current)
        for key, value in found.items():
            current.fields.setdefault(key, value)
        current.numeric = sum(1 for key in current.fields if key in numeric_fields)
        current.labelled = current.labelled or label
        current.spans.append((start, end))
    reading = ItemReading()
    grouped = [span for group in groups for span in group.spans]
    outside = _gaps(grouped, len(text))
    shared, shared_defaults = read(items, _blank_outside(text, outside))
    shared = {
        k: v for k, v in shared.items() if k not in shared_defaults and k not in numeric_fields
    }
    for group in groups[:_MAX_ITEMS]:
        if group.numeric == 0 and numeric_fields:
            continue
        merged, defaulted = read(items, _blank_outside(text, group.spans))
        own = {k: v for k, v in merged.items() if k not in defaulted}
        values = {**merged, **shared, **own, **group.fields}
        if any(r not in values for r in required):
            if group.numeric > 1 or (group.numeric and len(numeric_fields) == 1):
                reading.incomplete += 1
            continue
        reading.items.append({k: values[k] for k in properties if k in values})
        reading.spans.extend(group.spans)
    return reading
