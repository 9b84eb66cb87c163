"""Find unmasked card numbers and IBANs in an answer, validated by their check digits.

Only numbers whose checksum is valid count, so ordinary amounts, dates and
order numbers are not reported: a card PAN must pass the Luhn check
(ISO/IEC 7812-1) and an IBAN its country length and ISO 7064 mod 97-10.
A masked value (``411111******1111``) never matches, because the mask breaks
the digit run.
"""

from __future__ import annotations

import re

# The checksums are shared with the compliance recognizers; what evaluation does on its own
# is the scanning of answers, so a gap in the recognizers' scanning is still caught here.
from toolkit.compliance.recognizers.iban import IBAN_LENGTHS, is_valid_iban
from toolkit.compliance.recognizers.luhn import luhn_valid as _luhn

__all__ = ["find_unmasked_ibans", "find_unmasked_pans", "iban_valid", "luhn_valid"]

# Digit groups separated by at most one space or dash, as card numbers are written.
_DIGIT_RUN = re.compile(r"(?<![\d*])\d+(?:[ -]\d+)*(?![\d*])")
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9*])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}")


def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 check of a string of digits."""
    return digits.isdigit() and _luhn(digits)


def iban_valid(iban: str) -> bool:
    """ISO 13616 country length and ISO 7064 mod 97-10 of a compact upper-case IBAN."""
    return is_valid_iban(iban)


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
        length = IBAN_LENGTHS.get(compact[:2])
        if length is not None and len(compact) >= length and iban_valid(compact[:length]):
            found.append(compact[:length])
    return list(dict.fromkeys(found))
