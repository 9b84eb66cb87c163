"""Phrase and pattern matching shared by the text kinds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

__all__ = ["PhraseMatcher", "compile_pattern"]


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a rule-pack regex, case-insensitive; refuse ones that match the empty string.

    Raises:
        ValueError: the pattern is invalid or matches "".
    """
    try:
        compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    if compiled.fullmatch(""):
        raise ValueError(f"regular expression {pattern!r} matches the empty string")
    return compiled


def _phrase_regex(phrase: str) -> str:
    words = phrase.split()
    body = r"\s+".join(re.escape(w) for w in words)
    # Word boundaries only where the phrase edge is a Latin letter or digit: Chinese
    # text has no spaces, so "保本" must match inside "本产品保本保息".
    head = r"(?<![A-Za-z0-9])" if words[0][0].isascii() and words[0][0].isalnum() else ""
    tail = r"(?![A-Za-z0-9])" if words[-1][-1].isascii() and words[-1][-1].isalnum() else ""
    return head + body + tail


class PhraseMatcher:
    """Case-insensitive matcher over literal phrases (any language) and regexes."""

    def __init__(self, phrases: Sequence[str], patterns: Sequence[str] = ()) -> None:
        parts = [_phrase_regex(p) for p in phrases if p.strip()]
        self._literal = (
            re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE) if parts else None
        )
        self._patterns = [compile_pattern(p) for p in patterns]

    def __bool__(self) -> bool:
        return self._literal is not None or bool(self._patterns)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Yield the matches of every phrase and pattern (possibly overlapping)."""
        if self._literal is not None:
            yield from self._literal.finditer(text)
        for pattern in self._patterns:
            yield from pattern.finditer(text)

    def search(self, text: str) -> bool:
        """Whether anything matches."""
        return next(self.finditer(text), None) is not None
