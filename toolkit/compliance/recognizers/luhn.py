"""Payment card numbers (PAN): ISO/IEC 7812 issuer ranges and the Luhn mod-10 check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer, fold_width

__all__ = ["CardPanRecognizer", "card_pan_recognizer", "is_valid_pan", "luhn_valid"]


def luhn_valid(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn mod-10 check (ISO/IEC 7812-1 Annex B)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _issuer_accepts(d: str) -> bool:
    """Whether a known card network issues numbers with this prefix and length."""
    n = len(d)
    p2, p4, p6 = int(d[:2]), int(d[:4]), int(d[:6])
    first = d[0]
    if first == "4":  # Visa
        return n in (13, 16, 19)
    if 51 <= p2 <= 55 or 222100 <= p6 <= 272099:  # Mastercard incl. the 2-series
        return n == 16
    if p2 in (34, 37):  # American Express
        return n == 15
    if 3528 <= p4 <= 3589:  # JCB
        return 16 <= n <= 19
    if p2 in (36, 38, 39) or 300 <= int(d[:3]) <= 305 or p4 == 3095:  # Diners Club
        return 14 <= n <= 19
    if p2 in (60, 62, 64, 65, 81):  # Discover, UnionPay, RuPay-range
        return 16 <= n <= 19
    if p2 in (50, 56, 57, 58, 63, 67):  # Maestro
        return 12 <= n <= 19
    return False


def is_valid_pan(digits: str) -> bool:
    """Return True for a plausible card number: issuer range, length and Luhn."""
    return (
        digits.isdigit()
        and 13 <= len(digits) <= 19
        and _issuer_accepts(digits)
        and luhn_valid(digits)
    )


def _in_decimal(text: str, start: int, end: int) -> bool:
    """Whether a digit span is the fraction or the integer part of a decimal number.

    A tool result's 0.25066147886538653 is a figure, not a card number; dotted card
    groups (4111.1111.1111.1111) are joined before this check and never get here alone.
    """
    if start > 1 and text[start - 1] == "." and text[start - 2].isdigit():
        return True
    return text[end : end + 1] == "." and text[end + 1 : end + 2].isdigit()


class CardPanRecognizer(Recognizer):
    """Finds PANs however they are written, whatever label precedes them.

    Fails closed (PCI DSS 3.4.1 does not care what a number is called): a
    Luhn-valid number in an issuer's range is a card number after "reference" or
    "order", glued to letters or Chinese characters, grouped by spaces, double
    spaces, dashes, dots or a mix, or typed with full-width digits. A run of digit
    groups is split at its separators, so that a card number next to other numbers
    ("ref 2031 4111 1111 1111 1111") is still found. Only the digits of a decimal
    number are left alone.
    """

    entity = "card_pan"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every valid PAN in ``text``."""
        text = fold_width(text)
        for run in _RUN.finditer(text):
            start, end = run.span()
            if end - start < 13:  # fewer than 13 characters cannot hold 13 digits
                continue
            yield from self._split(text, start, end)

    @staticmethod
    def _split(text: str, start: int, end: int) -> Iterator[Match]:
        groups = [(m.start() + start, m.end() + start) for m in _DIGITS.finditer(text[start:end])]
        i = 0
        while i < len(groups):
            found = None
            digits, dots = "", 0
            for j in range(i, len(groups)):
                if j > i:
                    dots += text.count(".", groups[j - 1][1], groups[j][0])
                digits += text[groups[j][0] : groups[j][1]]
                if len(digits) > 19:
                    break
                g_start, g_end = groups[i][0], groups[j][1]
                # One dot between two groups is a decimal point, never a card separator.
                if len(digits) < 13 or dots == 1 or _in_decimal(text, g_start, g_end):
                    continue
                if is_valid_pan(digits):
                    found = (j, Match("card_pan", g_start, g_end, digits))  # the longest wins
            if found is None:
                i += 1
                continue
            yield found[1]
            i = found[0] + 1


# Digit groups joined by up to two blanks, a dash or a dot (optionally spaced).
_RUN = re.compile(r"\d+(?:(?:[ \t]{1,2}|[ ]?[-.][ ]?)\d+)*")
_DIGITS = re.compile(r"\d+")


def card_pan_recognizer() -> Recognizer:
    """Return the card PAN recognizer."""
    return CardPanRecognizer()
