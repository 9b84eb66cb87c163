"""Payment card numbers (PAN): ISO/IEC 7812 issuer ranges and the Luhn mod-10 check."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer

__all__ = ["CardPanRecognizer", "card_pan_recognizer", "is_valid_pan", "luhn_valid"]

# Labels that make a digit run an identifier rather than a card number.
_REJECT_BEFORE = re.compile(
    r"(?i)(?:\border|\btracking|\binvoice|\breference|\bref|\btxn|\btransaction|\bticket"
    r"|\bshipment|\bparcel|\bserial|订单号?|单号|流水号|编号)"
    r"\s*(?:no\.?|number|id|#)?\s*[:#\uff1a]?\s*$"
)


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


def _glued(text: str, start: int, end: int) -> bool:
    """Whether a digit span is part of a word, an identifier or a decimal number.

    sku4111..., ORD-4111... and the decimals of 0.2506614788653... are not card numbers.
    """
    before = text[start - 1] if start else ""
    if before.isalpha() or before == "_":
        return True
    if before == "." and start > 1 and text[start - 2].isdigit():
        return True
    if text[end : end + 1] == "." and text[end + 1 : end + 2].isdigit():
        return True
    if before == "-" and start > 1 and text[start - 2].isalpha():
        return True
    after = text[end] if end < len(text) else ""
    return after.isalpha() or after == "_"


class CardPanRecognizer(Recognizer):
    """Finds PANs written plain or grouped by spaces or dashes.

    A run of digit groups is split at its separators so that a card number next
    to other numbers ("ref 2031 4111 1111 1111 1111") is still found, while a
    digit string glued to letters or inside an identifier is not.
    """

    entity = "card_pan"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every valid PAN in ``text``."""
        for run in _RUN.finditer(text):
            start, end = run.span()
            if end - start < 13:  # fewer than 13 characters cannot hold 13 digits
                continue
            for match in self._split(text, start, end):
                if _glued(text, match.start, match.end):
                    continue
                if not _REJECT_BEFORE.search(text, max(0, match.start - 40), match.start):
                    yield match

    @staticmethod
    def _split(text: str, start: int, end: int) -> Iterator[Match]:
        groups = [(m.start() + start, m.end() + start) for m in _DIGITS.finditer(text[start:end])]
        i = 0
        while i < len(groups):
            found = None
            for j in range(len(groups) - 1, i - 1, -1):
                g_start, g_end = groups[i][0], groups[j][1]
                raw = text[g_start:g_end]
                digits = raw.replace(" ", "").replace("-", "")
                if (
                    13 <= len(digits) <= 19
                    and not (" " in raw and "-" in raw)
                    and is_valid_pan(digits)
                ):
                    found = (j, Match("card_pan", g_start, g_end, digits))
                    break
            if found is None:
                i += 1
                continue
            yield found[1]
            i = found[0] + 1


_RUN = re.compile(r"\d+(?:[ -]\d+)*")
_DIGITS = re.compile(r"\d+")


def card_pan_recognizer() -> Recognizer:
    """Return the card PAN recognizer."""
    return CardPanRecognizer()
