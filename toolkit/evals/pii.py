"""Find unmasked card numbers and IBANs in an answer, validated by their check digits.

Only numbers whose checksum is valid count, so ordinary amounts, dates and
order numbers are not reported: a card PAN must pass the Luhn check
(ISO/IEC 7812-1) and an IBAN its country length and ISO 7064 mod 97-10.
A masked value (``411111******1111``) never matches, because the mask breaks
the digit run.
"""

from __future__ import annotations

import re

__all__ = ["find_unmasked_ibans", "find_unmasked_pans", "iban_valid", "luhn_valid"]

# Digit groups separated by at most one space or dash, as card numbers are written.
_DIGIT_RUN = re.compile(r"(?<![\d*])\d+(?:[ -]\d+)*(?![\d*])")
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9*])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}")

# ISO 13616 registry lengths per country (SWIFT IBAN registry).
_IBAN_LENGTH = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24,
    "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 check of a string of digits."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616 country length and ISO 7064 mod 97-10 of a compact upper-case IBAN."""
    length = _IBAN_LENGTH.get(iban[:2])
    if length is None or len(iban) != length or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def find_unmasked_pans(text: str) -> list[str]:
    """Valid card PANs written in full in ``text`` (13-19 digits, brand prefix 2-6)."""
    found: list[str] = []
    for run in _DIGIT_RUN.finditer(text):
        groups = re.split(r"[ -]", run.group(0))
        # Try every window of whole groups, so a PAN next to another number is still found.
        for start in range(len(groups)):
            digits = ""
            for end in range(start, len(groups)):
                digits += groups[end]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and digits[0] in "23456" and luhn_valid(digits):
                    found.append(digits)
    return list(dict.fromkeys(found))


def find_unmasked_ibans(text: str) -> list[str]:
    """Valid IBANs written in full in ``text`` (compact or in groups of four)."""
    found: list[str] = []
    for candidate in _IBAN_CANDIDATE.finditer(text):
        compact = candidate.group(0).replace(" ", "")
        length = _IBAN_LENGTH.get(compact[:2])
        if length is not None and len(compact) >= length and iban_valid(compact[:length]):
            found.append(compact[:length])
    return list(dict.fromkeys(found))
