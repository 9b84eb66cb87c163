"""PRC resident identity card number: GB 11643-1999, ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer, fold_width

__all__ = ["CnResidentIdRecognizer", "cn_id_check_char", "is_valid_cn_resident_id"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# First two digits: province-level codes of GB/T 2260 (incl. 71 Taiwan, 81/82 HK/Macao, 83).
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
# Compact, or with blanks between digits ("110101 19900307 123X", "110 101 1990 ...").
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d(?: {0,2}\d){16} {0,2}[0-9Xx](?![0-9A-Za-z])", re.ASCII)


def cn_id_check_char(first17: str) -> str:
    """Return the check character for the first 17 digits (MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def is_valid_cn_resident_id(value: str) -> bool:
    """Return True for an 18-character id with a real province, birth date and check."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or value[:2] not in _PROVINCES:
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return False
    return cn_id_check_char(value[:17]) == value[17]


class CnResidentIdRecognizer(Recognizer):
    """Finds 18-character PRC resident identity numbers."""

    entity = "cn_resident_id"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every valid id in ``text`` (full-width digits and spaced groups included)."""
        for m in _CANDIDATE.finditer(fold_width(text)):
            value = m.group(0).replace(" ", "").upper()
            if is_valid_cn_resident_id(value):
                yield Match(self.entity, m.start(), m.end(), value)
