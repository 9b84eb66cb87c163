"""Word overlap between two requests: the Jaccard index of their token sets.

Tokens are lower-cased Latin words and numbers (thousand separators removed, so
"80,000" and "80000" are one token) plus the character bigrams of each run of CJK
characters (a one-character run counts as itself). Punctuation, symbols and units
written as symbols are ignored. The pack contract uses it to find evaluation cases
that repeat a tool's own ``Examples:`` text.
"""

from __future__ import annotations

import re

__all__ = ["jaccard", "overlap", "word_set"]

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z\u00c0-\u024f]+|\d+(?:\.\d+)?|[{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def word_set(text: str) -> frozenset[str]:
    """The token set of ``text`` (see the module docstring)."""
    found: set[str] = set()
    for token in _TOKEN.findall(_THOUSANDS.sub("", text.lower())):
        if _CJK_RUN.fullmatch(token):
            found.update(token[i : i + 2] for i in range(max(len(token) - 1, 1)))
        else:
            found.add(token)
    return frozenset(found)


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    """Shared tokens over all tokens (intersection / union); 0.0 when both sets are empty."""
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def overlap(first: str, second: str) -> float:
    """The Jaccard index of the two texts' token sets, from 0 (disjoint) to 1 (same words)."""
    return jaccard(word_set(first), word_set(second))
