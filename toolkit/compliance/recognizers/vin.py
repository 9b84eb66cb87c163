"""Vehicle identification number: ISO 3779 / 49 CFR 565 position-9 check digit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer, fold_width

__all__ = ["VinRecognizer", "is_valid_vin", "vin_check_digit"]

_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[A-HJ-NPR-Z0-9]{17}(?![0-9A-Za-z])")


def vin_check_digit(vin: str) -> str:
    """Return the expected position-9 character ('0'..'9' or 'X') of a 17-char VIN."""
    total = sum(_VALUES[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def is_valid_vin(value: str) -> bool:
    """Return True for a 17-character VIN whose check digit matches.

    A VIN mixes letters and digits; an all-digit run (a timestamp, an order
    number) that happens to satisfy the check is not taken for one.
    """
    if len(value) != 17 or any(ch not in _VALUES for ch in value):
        return False
    if value.isdigit() or value.isalpha():
        return False
    if value[9] in "UZ0":  # position 10, model year, never uses these
        return False
    return vin_check_digit(value) == value[8]


class VinRecognizer(Recognizer):
    """Finds VINs with a valid check digit."""

    entity = "vin"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every valid VIN in ``text``."""
        for m in _CANDIDATE.finditer(fold_width(text)):
            if is_valid_vin(m.group(0)):
                yield Match(self.entity, m.start(), m.end(), m.group(0))
