"""Strings inside tool arguments at any depth, named by a path (``items[0].note``).

A model can put a card number in a list or a nested object as easily as in a
top-level string; the tool_call stage scans and redacts them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["iter_strings", "map_strings"]


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def iter_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every string in ``value`` (mappings, lists, tuples)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from iter_strings(item, _child(path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from iter_strings(item, _child(path, index))


def map_strings(value: Any, change: Callable[[str, str], str], path: str = "") -> Any:
    """Return a copy of ``value`` with each string replaced by ``change(path, text)``."""
    if isinstance(value, str):
        return change(path, value)
    if isinstance(value, Mapping):
        return {key: map_strings(item, change, _child(path, key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(item, change, _child(path, i)) for i, item in enumerate(value)]
    return value
