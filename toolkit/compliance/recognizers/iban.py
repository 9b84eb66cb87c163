"""IBAN: ISO 13616 structure, per-country length and the ISO 7064 mod 97-10 check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer, fold_width

__all__ = ["IBAN_LENGTHS", "IbanRecognizer", "iban_mod97", "is_valid_iban"]

# Total IBAN length per country, from the SWIFT IBAN Registry (release 2024).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip

# Printed form groups by four with single spaces; electronic form has none. Either case:
# people type "fr14 2004 ..." and the check digits tell an IBAN from a word.
_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}(?![A-Za-z0-9])", re.ASCII
)


def iban_mod97(iban: str) -> int:
    """Return the ISO 7064 mod 97-10 remainder of an IBAN (1 when valid).

    The first four characters move to the end and letters become 10..35.
    """
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for ch in rearranged:
        value = int(ch, 36)  # '0'..'9' -> 0..9, 'A'..'Z' -> 10..35
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder


def is_valid_iban(value: str) -> bool:
    """Return True for an IBAN (no spaces, upper case) with the right length and check."""
    if len(value) < 5 or not value.isalnum() or not value.isascii():
        return False
    expected = IBAN_LENGTHS.get(value[:2])
    return expected == len(value) and value[2:4].isdigit() and iban_mod97(value) == 1


class IbanRecognizer(Recognizer):
    """Finds IBANs in electronic or printed (grouped by four) form."""

    entity = "iban"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every valid IBAN in ``text``, in either case, full-width forms included."""
        text = fold_width(text)
        pos = 0
        while (m := _CANDIDATE.search(text, pos)) is not None:
            pos = m.start() + 2
            compact = m.group(0).replace(" ", "").upper()
            expected = IBAN_LENGTHS.get(compact[:2])
            if expected is None or len(compact) < expected:
                continue
            # The greedy candidate may run into what follows; cut it at the country length.
            end, seen = m.start(), 0
            while seen < expected:
                if text[end] != " ":
                    seen += 1
                end += 1
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                continue
            value = compact[:expected]
            if is_valid_iban(value):
                pos = end
                yield Match(self.entity, m.start(), end, value)
