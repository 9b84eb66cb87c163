"""The shape every recognizer shares: find candidates, keep those that validate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["Match", "Recognizer", "RegexRecognizer", "fold_width"]

# Full-width forms (U+FF01-FF5E) and the ideographic space, mapped one character to one
# so that offsets found in the folded text are offsets in the original.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x00A0: 0x20}
_WIDE = re.compile("[\uff01-\uff5e\u3000\u00a0]")


def fold_width(text: str) -> str:
    """Return ``text`` with full-width ASCII forms as ASCII, character for character.

    Chinese input methods type full-width digits as easily as ASCII ones; recognizers scan the
    folded text and report spans that are valid in the original.
    """
    # str.translate walks every character; most texts hold no full-width form at all.
    return text.translate(_FOLD) if _WIDE.search(text) else text


@dataclass(frozen=True, slots=True)
class Match:
    """One recognised entity in a text.

    Attributes:
        entity: The entity name, e.g. ``card_pan``.
        start: Offset of the first character in the scanned text.
        end: Offset one past the last character.
        value: The normalised value (separators removed); never log it.
    """

    entity: str
    start: int
    end: int
    value: str


class Recognizer:
    """Base class: subclasses implement :meth:`find`."""

    entity: str = ""

    def find(self, text: str) -> Iterator[Match]:
        """Yield every validated occurrence of the entity in ``text``."""
        raise NotImplementedError


class RegexRecognizer(Recognizer):
    """A candidate regex plus a validator over the normalised candidate."""

    def __init__(
        self,
        entity: str,
        pattern: re.Pattern[str],
        validate: Callable[[str], bool],
        normalise: Callable[[str], str] = lambda s: s,
        reject_before: re.Pattern[str] | None = None,
        raw_ok: Callable[[str], bool] | None = None,
    ) -> None:
        self.entity = entity
        self._pattern = pattern
        self._validate = validate
        self._normalise = normalise
        self._reject_before = reject_before
        self._raw_ok = raw_ok

    def find(self, text: str) -> Iterator[Match]:
        """Yield the candidates that pass validation."""
        text = fold_width(text)
        for m in self._pattern.finditer(text):
            if self._raw_ok is not None and not self._raw_ok(m.group(0)):
                continue
            value = self._normalise(m.group(0))
            if not self._validate(value):
                continue
            if self._reject_before is not None:
                window = text[max(0, m.start() - 40) : m.start()]
                if self._reject_before.search(window):
                    continue
            yield Match(self.entity, m.start(), m.end(), value)
