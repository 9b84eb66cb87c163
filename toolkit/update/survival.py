"""Check that a merge kept every line the customer wrote.

The customer's lines are those the customer added or changed relative to the base (the
insert and replace hunks of a base-to-customer diff). A merge keeps them either applied or
inside a conflict block, so each must appear in the result at least as often as the customer
wrote it. The check counts lines rather than demanding whole hunks in one piece, because two
diff algorithms may cut the same change into hunks differently; a missing line is a lost
customer change, whatever the cut.
"""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

__all__ = ["customer_lines", "lost_lines"]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines()


def customer_lines(base: bytes | None, ours: bytes) -> Counter[bytes]:
    """Each line the customer added or changed relative to ``base``, with its count."""
    ours_lines = _lines(ours)
    if base is None:
        return Counter(ours_lines)
    matcher = SequenceMatcher(None, _lines(base), ours_lines, autojunk=False)
    added: Counter[bytes] = Counter()
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("insert", "replace"):
            added.update(ours_lines[j1:j2])
    return added


def lost_lines(base: bytes | None, ours: bytes, result: bytes) -> list[str]:
    """The customer's lines missing from ``result`` (empty when the merge kept them all)."""
    wanted = customer_lines(base, ours)
    if not wanted:
        return []
    have = Counter(_lines(result))
    return [
        line.decode("utf-8", "replace")
        for line, count in sorted(wanted.items())
        if have[line] < count
    ]
