"""Custom patterns declared in a rule pack, with an optional checksum."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer

__all__ = ["PatternRecognizer"]


class PatternRecognizer(Recognizer):
    """Finds a regular expression; the whole match is the entity value."""

    def __init__(self, entity: str, pattern: re.Pattern[str]) -> None:
        self.entity = entity
        self._pattern = pattern

    def find(self, text: str) -> Iterator[Match]:
        """Yield every non-empty match of the pattern."""
        for m in self._pattern.finditer(text):
            if m.end() > m.start():
                yield Match(self.entity, m.start(), m.end(), m.group(0))
