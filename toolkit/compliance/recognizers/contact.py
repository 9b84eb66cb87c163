"""E-mail addresses and telephone numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from toolkit.compliance.recognizers.base import Match, Recognizer, fold_width

__all__ = ["EmailRecognizer", "PhoneRecognizer"]

_EMAIL = re.compile(
    r"(?<![\w.+*-])"  # "*": a partly masked address is not an address
    r"([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9])?)"
    r"@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})"
    r"(?![\w-]|\.[A-Za-z0-9])",
    # ASCII word classes: Chinese text runs straight into an address ("邮箱li@x.cn联系").
    re.ASCII,
)

# "icon@2x.png" is a file name, not an address: no TLD is a common file extension.
_FILE_EXTENSIONS = frozenset(
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "bmp",
        "pdf",
        "txt",
        "csv",
        "js",
        "css",
        "html",
        "htm",
        "json",
        "xml",
        "yaml",
        "yml",
        "md",
        "py",
        "zip",
    ]
)


class EmailRecognizer(Recognizer):
    """Finds addresses of the form local@domain.tld (RFC 5321 dot-atom subset)."""

    entity = "email"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every e-mail address in ``text``."""
        text = fold_width(text)
        if "@" not in text:
            return
        for m in _EMAIL.finditer(text):
            local, domain = m.group(1), m.group(2)
            if ".." in local or domain.rsplit(".", 1)[-1].lower() in _FILE_EXTENSIONS:
                continue
            yield Match(self.entity, m.start(), m.end(), m.group(0).lower())


# International: "+" country code then 7-14 more digits in groups.
_INTL = re.compile(r"(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,5}\)?){1,6}(?![\w])", re.ASCII)
# North American Numbering Plan written with separators: (415) 555-2671, 415-555-2671.
_NANP = re.compile(
    r"(?<![\w-])(?:\(([2-9]\d\d)\) ?|([2-9]\d\d)[-. ])([2-9]\d\d)[-. ](\d{4})(?![\w-])",
    re.ASCII,
)
# PRC mobile numbers: 11 digits, 1[3-9]x, optionally grouped 3-4-4.
_CN_MOBILE = re.compile(r"(?<![\w-])1[3-9]\d(?:[ -]?\d{4}){2}(?![\w-])", re.ASCII)
# Any other number counts only right after an explicit label.
_LABELLED = re.compile(
    r"(?i)(?:\b(?:tel|phone|mobile|cell|fax)\.?|电话|手机|联系电话)\s*(?:no\.?|number|#)?\s*[:\uff1a]?\s*"
    r"(\(?\d{2,5}\)?(?:[ .-]?\d{2,5}){1,4})(?![\w])",
    re.ASCII,
)


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


class PhoneRecognizer(Recognizer):
    """Finds phone numbers: E.164-style, NANP with separators, PRC mobile, or labelled."""

    entity = "phone"

    def find(self, text: str) -> Iterator[Match]:
        """Yield every phone number in ``text`` (overlaps resolved, first wins)."""
        taken: list[tuple[int, int]] = []
        for start, end, value in self._candidates(fold_width(text)):
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            yield Match(self.entity, start, end, value)

    @staticmethod
    def _candidates(text: str) -> Iterator[tuple[int, int, str]]:
        for m in _INTL.finditer(text) if "+" in text else ():
            digits = _digits(m.group(0))
            if 8 <= len(digits) <= 15:
                yield m.start(), m.end(), "+" + digits
        for m in _NANP.finditer(text):
            area = m.group(1) or m.group(2)
            if area[1:] == "11" or m.group(3)[1:] == "11":  # N11 service codes
                continue
            yield m.start(), m.end(), "+1" + _digits(m.group(0))
        for m in _CN_MOBILE.finditer(text):
            yield m.start(), m.end(), "+86" + _digits(m.group(0))
        for m in _LABELLED.finditer(text):
            digits = _digits(m.group(1))
            if 7 <= len(digits) <= 15:
                yield m.start(1), m.end(1), digits
