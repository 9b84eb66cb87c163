"""Wording checks of the rule pack, re-implemented independently of the enforcement code.

Evaluation must catch what enforcement misses, so it does not call
`toolkit.compliance` to decide whether an answer breaks a rule; it reads the
same params and applies their documented meaning:

- a phrase matches case-insensitively, any run of whitespace matching any
  other, with word boundaries only where the phrase starts or ends with a
  Latin letter or digit (Chinese has no spaces: 保本 matches inside 保本保息);
- a pattern is a regex, case-insensitive and multi-line;
- an ``unless`` phrase in the same sentence excuses a match ("hypothetical").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

__all__ = ["Wording", "sentence_of"]

_SENTENCE_END = re.compile(r"[.!?;\n\u3002\uff01\uff1f\uff1b]")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _phrase(phrase: str) -> re.Pattern[str] | None:
    words = phrase.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(word) for word in words)
    if _LATIN.fullmatch(words[0][0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _LATIN.fullmatch(words[-1][-1]):
        body += r"(?![A-Za-z0-9])"
    return re.compile(body, re.IGNORECASE)


def sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``text[start:end]`` (Latin or CJK punctuation)."""
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right = _SENTENCE_END.search(text, end)
    return text[left : right.start() if right else len(text)]


class Wording:
    """Phrases and patterns, with optional excusing phrases."""

    def __init__(
        self, phrases: Sequence[str], patterns: Sequence[str] = (), unless: Sequence[str] = ()
    ) -> None:
        compiled = [_phrase(p) for p in phrases]
        self._regexes = [c for c in compiled if c is not None]
        for pattern in patterns:
            try:
                self._regexes.append(re.compile(pattern, re.IGNORECASE | re.MULTILINE))
            except re.error:
                continue  # the rule pack's validator reports it; evaluation skips it
        self._unless = Wording(unless) if unless else None

    def __bool__(self) -> bool:
        return bool(self._regexes)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        """Non-empty, unexcused matches in ``text``."""
        for regex in self._regexes:
            for found in regex.finditer(text):
                if found.end() == found.start():
                    continue
                if self._unless is not None and self._unless.first(
                    sentence_of(text, found.start(), found.end())
                ):
                    continue
                yield found

    def first(self, text: str) -> re.Match[str] | None:
        """The first match, or None."""
        return next(self.matches(text), None)
