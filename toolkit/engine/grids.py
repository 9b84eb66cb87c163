"""Factor grids and their cells written as prose.

A property mapping names to lists of words (``{"weather": ["clear", "rain"]}``) is a grid of
factors and their levels. Written out it reads "weather clear, rain or fog; lighting day or
night": one factor per part, its name then two or more levels. A property listing objects
of words (``[{"weather": "clear", "lighting": "day"}]``) holds cells of that grid, written as
levels joined by slashes or pluses ("clear/day", "rain + night"), each level naming its
factor. Pasted JSON is read elsewhere (`spans.json_literals`); this is the prose form.
"""

from __future__ import annotations

import re
from typing import Any

from toolkit.engine.fields import schema_type
from toolkit.engine.similarity import terms

__all__ = ["cell_label", "is_cell_list", "is_grid", "read_cells", "read_grid"]

_PARTS = re.compile(r"[;；\n]|(?<=[.?!。？！])\s")  # noqa: RUF001
_LEVEL = r"[\w.+-]*\w"
_LEVEL_JOIN = r"\s*(?:,|/|、|，|\bor\b|\band\b|\|)\s*(?:(?:or|and)\s+)?"  # noqa: RUF001
_FACTOR = re.compile(
    r"(?P<name>[A-Za-z][\w-]*|[\u3400-\u9fff]+)\s*(?:[:：=]|\s|\bis\b|\bare\b)\s*"  # noqa: RUF001
    r"(?:(?:is|are|either)\s+)?"
    r"(?P<levels>" + _LEVEL + r"(?:" + _LEVEL_JOIN + _LEVEL + r")+)\s*[.,]?\s*$"
)
_SPLIT_LEVELS = re.compile(_LEVEL_JOIN)
_CELL = re.compile(r"[\w.-]+(?:\s*[/+]\s*[\w.-]+)+|(?<![\w-])\w+(?:-\w+)+(?![\w-])")
_NOT_FACTORS = frozenset(["and", "or", "the", "a", "an", "is", "are", "with", "either"])


def is_grid(schema: dict[str, Any]) -> bool:
    """Whether a (resolved) schema maps names to lists of strings."""
    values = schema.get("additionalProperties")
    if schema_type(schema) != "object" or schema.get("properties") or not isinstance(values, dict):
        return False
    items = values.get("items")
    return (
        schema_type(values) == "array"
        and isinstance(items, dict)
        and schema_type(items) == "string"
    )


def is_cell_list(schema: dict[str, Any]) -> bool:
    """Whether a (resolved) schema is a list of objects mapping names to strings."""
    items = schema.get("items")
    if schema_type(schema) != "array" or not isinstance(items, dict):
        return False
    values = items.get("additionalProperties")
    return (
        schema_type(items) == "object"
        and not items.get("properties")
        and isinstance(values, dict)
        and schema_type(values) == "string"
    )


def read_grid(text: str) -> tuple[dict[str, list[str]], list[tuple[int, int]]]:
    """Factors and their levels written as prose, with the spans they take.

    A part (cut at semicolons, new lines and sentence ends) ending in a name and two or
    more levels is a factor; at least two factors make a grid. A part whose levels are
    mostly other factors' levels lists cells, not a factor ("executed: clear/day and
    rain/night").
    """
    found: list[tuple[str, list[str], int, int]] = []
    start = 0
    for piece in _PARTS.split(text):
        offset = text.find(piece, start)
        start = offset + len(piece)
        match = _FACTOR.search(piece)
        if match is None or match.group("name").lower() in _NOT_FACTORS:
            continue
        levels = [lv for lv in _SPLIT_LEVELS.split(match.group("levels")) if lv]
        if len(levels) < 2 or len(set(levels)) != len(levels):
            continue
        found.append((match.group("name"), levels, offset + match.start(), offset + match.end()))
    # Drop the part most made of other parts' levels, one at a time, until none is.
    factors = list(found)
    while factors:
        shares: list[tuple[float, int]] = []
        for index, (_, levels, _, _) in enumerate(factors):
            others = {
                lv.casefold()
                for i, (_, lvs, _, _) in enumerate(factors)
                if i != index
                for lv in lvs
            }
            overlap = sum(lv.casefold() in others for lv in levels)
            shares.append((overlap / len(levels), overlap))
        # The cells part shares the most levels: "clear/day/highway and rain/night/urban".
        worst = max(range(len(factors)), key=lambda i: shares[i])
        if shares[worst][0] < 0.5:
            break
        del factors[worst]
    if len(factors) < 2 or len({name for name, *_ in factors}) != len(factors):
        return {}, []
    return {name: levels for name, levels, _, _ in factors}, [(b, e) for _, _, b, e in factors]


def read_cells(text: str, grid: dict[str, list[str]]) -> list[tuple[int, int, dict[str, str]]]:
    """Cells of `grid` written as levels joined by "/", "+" or "-": (start, end, cell).

    Each level must name exactly one factor, and no factor twice; a cell may be partial.
    """
    owner: dict[str, tuple[str, str]] = {}
    shared: set[str] = set()
    for factor, levels in grid.items():
        for level in levels:
            key = level.casefold()
            if key in owner:
                shared.add(key)
            owner[key] = (factor, level)
    cells = []
    for match in _CELL.finditer(text):
        raw = match.group(0)
        parts = re.split(r"\s*[/+]\s*", raw) if re.search(r"[/+]", raw) else raw.split("-")
        cell: dict[str, str] = {}
        for part in parts:
            key = part.strip(" .").casefold()
            if key not in owner or key in shared or owner[key][0] in cell:
                cell = {}
                break
            factor, level = owner[key]
            cell[factor] = level
        if len(cell) >= 2:
            cells.append((match.start(), match.end(), cell))
    return cells


def cell_label(text: str, start: int) -> set[str]:
    """The words of the part (after the last semicolon or sentence end) before `start`."""
    head = _PARTS.split(text[:start])[-1]
    return set(terms(head))
