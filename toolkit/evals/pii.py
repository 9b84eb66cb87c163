"""Find personal and payment data written unmasked in an answer, for every built-in entity.

Evaluation scans answers on its own, so a gap in the compliance recognizers'
scanning is still caught here; it shares only their published checksums.
Every entity the compliance recognizers know is checked:

- ``card_pan``: 13-19 digits, brand prefix 2-6, Luhn (ISO/IEC 7812-1);
- ``iban``: country length and ISO 7064 mod 97-10 (ISO 13616);
- ``cn_resident_id``: 18 characters, compact or grouped 6-8-4, with a real
  province code, birth date and GB 11643 mod 11-2 check character;
- ``vin``: 17 upper-case characters mixing letters and digits, ISO 3779 check
  digit in position 9;
- ``email``: ``local@domain.tld`` with an alphabetic top-level domain that is not
  a file extension (``icon@2x.png``);
- ``phone``: international (``+`` country code, 8-15 digits), North American
  with separators, PRC mobile (11 digits, ``1[3-9]``), or any 7-15 digits right
  after a phone label (tel, phone, mobile, 电话, 手机 ...).

Only whole values count, so amounts, dates and order numbers are not reported
(a phone-shaped number right after an order, invoice or reference label is an
identifier). A masked value (``411111******1111``, ``j***@example.com``,
``+*********8000``, ``138****8000``) never matches: a mask character next to a
digit run or inside an address breaks the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

# The checksums are shared with the compliance recognizers; what evaluation does on its own
# is the scanning of answers, so a gap in the recognizers' scanning is still caught here.
from toolkit.compliance.recognizers.cn_resident_id import is_valid_cn_resident_id
from toolkit.compliance.recognizers.iban import IBAN_LENGTHS, is_valid_iban
from toolkit.compliance.recognizers.luhn import luhn_valid as _luhn
from toolkit.compliance.recognizers.vin import is_valid_vin

__all__ = [
    "PII_ENTITIES",
    "UnmaskedValue",
    "find_unmasked_cn_ids",
    "find_unmasked_emails",
    "find_unmasked_ibans",
    "find_unmasked_pans",
    "find_unmasked_phones",
    "find_unmasked_pii",
    "find_unmasked_vins",
    "iban_valid",
    "luhn_valid",
]

_Span = tuple[int, int, str]

# Digit groups separated by at most one space or dash, as card numbers are written.
# Not the digits of a decimal number (0.2506614788653...): no "d." before, no ".d" after.
_DIGIT_RUN = re.compile(r"(?<![\d*])(?<!\d\.)\d+(?:[ -]\d+)*(?![\d*])(?!\.\d)")
_IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9*])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32}")
# Compact, or grouped as region (6), birth date (8), sequence and check (4).
_CN_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{6}) ?(\d{8}) ?(\d{3}[0-9Xx])(?![0-9A-Za-z*])")
# Upper case only: lower-case hex digests of 17 characters are common in answers, VINs are not.
_VIN = re.compile(r"(?<![0-9A-Za-z*])[A-HJ-NPR-Z0-9]{17}(?![0-9A-Za-z*])")
# ASCII word classes: Chinese text runs straight into an address or a number ("请拨打138...").
_EMAIL = re.compile(
    r"(?<![\w.%+*-])([A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9])?)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))"
    r"(?![\w*-]|\.[A-Za-z0-9])",
    re.ASCII,
)
_FILE_EXTENSIONS = frozenset(
    [
        *("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "pdf", "txt", "csv"),
        *("js", "ts", "css", "htm", "html", "json", "xml", "yaml", "yml", "md", "py", "zip"),
    ]
)
# A phone number never touches another digit group, a mask or a word.
_NOT_BEFORE = r"(?<![\w*+.-])(?<!\d[ .-])"
_NOT_AFTER = r"(?![\w*])(?![ .-]\d)(?![.,]\d)"
# Possessive: the digit groups are taken whole, so a failed match never re-splits them.
_INTL = re.compile(
    r"(?<![\w*+])\+\d{1,3}(?:[ .-]?\(\d{1,5}\))?(?:[ .-]?\d+)*+" + _NOT_AFTER, re.ASCII
)
_NANP = re.compile(
    _NOT_BEFORE
    + r"(?:\(([2-9]\d\d)\) ?([2-9]\d\d)-|([2-9]\d\d)([-. ])([2-9]\d\d)\4)\d{4}"
    + _NOT_AFTER,
    re.ASCII,
)
_CN_MOBILE = re.compile(_NOT_BEFORE + r"1[3-9]\d(?:[ -]?\d{4}){2}" + _NOT_AFTER, re.ASCII)
_LABELLED = re.compile(
    r"(?i)(?:\b(?:tel|telephone|phone|mobile|cell|fax)\b\.?|电话|手机|联系电话|手机号码?)"
    r"(?:\s*(?:no\.?|number|#))?\s*[:\uff1a]?\s*"
    r"(\(?\d+\)?(?:[ .-]?\d+)*+)" + _NOT_AFTER,
    re.ASCII,
)
# A number right after one of these labels is an identifier, not a phone number.
_IDENTIFIER_LABEL = re.compile(
    r"(?i)(?:\b(?:order|invoice|reference|ref|tracking|transaction|txn|ticket|account|acct"
    r"|serial|contract|policy|id)\b|订单号?|单号|流水号|编号|账号|账户)"
    r"\s*(?:no\.?|number|id|#)?\s*[:#\uff1a]?\s*$",
    re.ASCII,
)


_DESCRIPTIONS = {
    "card_pan": "a valid card number",
    "iban": "a valid IBAN",
    "cn_resident_id": "a valid PRC resident ID number",
    "vin": "a valid VIN",
    "email": "an e-mail address",
    "phone": "a phone number",
}


class UnmaskedValue(NamedTuple):
    """One value of a personal-data entity written in full.

    Attributes:
        entity: The built-in entity name (``card_pan``, ``iban``, ...).
        value: The value as found, normalised (separators removed); it is the evidence.
    """

    entity: str
    value: str

    @property
    def description(self) -> str:
        """What the value is, for a violation message ("a valid card number")."""
        return _DESCRIPTIONS.get(self.entity, self.entity)


def luhn_valid(digits: str) -> bool:
    """The Luhn mod-10 check of a string of digits."""
    return digits.isdigit() and _luhn(digits)


def iban_valid(iban: str) -> bool:
    """ISO 13616 country length and ISO 7064 mod 97-10 of a compact upper-case IBAN."""
    return is_valid_iban(iban)


def _pan_spans(text: str) -> Iterator[_Span]:
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start(), m.end()) for m in re.finditer(r"\d+", run.group(0))]
        base = run.start()
        # Try every window of whole groups, so a PAN next to another number is still found.
        for start in range(len(groups)):
            digits = ""
            for end in range(start, len(groups)):
                digits += run.group(0)[groups[end][0] : groups[end][1]]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and digits[0] in "23456" and luhn_valid(digits):
                    yield base + groups[start][0], base + groups[end][1], digits


def _iban_spans(text: str) -> Iterator[_Span]:
    for candidate in _IBAN_CANDIDATE.finditer(text):
        compact = candidate.group(0).replace(" ", "")
        length = IBAN_LENGTHS.get(compact[:2])
        if length is not None and len(compact) >= length and iban_valid(compact[:length]):
            yield candidate.start(), candidate.end(), compact[:length]


def _cn_id_spans(text: str) -> Iterator[_Span]:
    for m in _CN_ID.finditer(text):
        value = "".join(m.groups()).upper()
        # Grouped only as 6-8-4 with single spaces, never with one space of two.
        if m.group(0).count(" ") in (0, 2) and is_valid_cn_resident_id(value):
            yield m.start(), m.end(), value


def _vin_spans(text: str) -> Iterator[_Span]:
    for m in _VIN.finditer(text):
        if is_valid_vin(m.group(0)):
            yield m.start(), m.end(), m.group(0)


def _email_spans(text: str) -> Iterator[_Span]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        if ".." in m.group(1) or m.group(3).lower() in _FILE_EXTENSIONS:
            continue
        yield m.start(), m.end(), m.group(0).lower()


def _digits(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def _phone_spans(text: str) -> Iterator[_Span]:
    def identifier(start: int) -> bool:
        return bool(_IDENTIFIER_LABEL.search(text, max(0, start - 30), start))

    for m in _INTL.finditer(text) if "+" in text else ():
        digits = _digits(m.group(0))
        if 8 <= len(digits) <= 15:
            yield m.start(), m.end(), "+" + digits
    for m in _NANP.finditer(text):
        area, exchange = m.group(1) or m.group(3), m.group(2) or m.group(5)
        if area[1:] == "11" or exchange[1:] == "11" or identifier(m.start()):
            continue  # N11 codes are service numbers, not subscribers
        yield m.start(), m.end(), "+1" + _digits(m.group(0))
    for m in _CN_MOBILE.finditer(text):
        if not identifier(m.start()):
            yield m.start(), m.end(), "+86" + _digits(m.group(0))
    for m in _LABELLED.finditer(text):
        digits = _digits(m.group(1))
        if 7 <= len(digits) <= 15:
            yield m.start(1), m.end(1), digits


# Most specific first: a value that two entities could claim is reported once, as the first.
_SPANS: dict[str, Callable[[str], Iterable[_Span]]] = {
    "cn_resident_id": _cn_id_spans,
    "vin": _vin_spans,
    "iban": _iban_spans,
    "card_pan": _pan_spans,
    "email": _email_spans,
    "phone": _phone_spans,
}

PII_ENTITIES: tuple[str, ...] = ("card_pan", "iban", "cn_resident_id", "vin", "email", "phone")
"""Every entity evaluation checks: the compliance recognizers' built-in entities."""


def find_unmasked_pii(text: str, entities: Iterable[str] = PII_ENTITIES) -> list[UnmaskedValue]:
    """Values of ``entities`` written in full in ``text``, each value once, in text order.

    Unknown entity names are ignored (the compliance rule loader refuses them).
    """
    wanted = set(entities)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, UnmaskedValue]] = []
    for entity, spans in _SPANS.items():
        if entity not in wanted:
            continue
        for start, end, value in spans(text):
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, UnmaskedValue(entity, value)))
    unique = dict.fromkeys(item for _, item in sorted(found, key=lambda pair: pair[0]))
    return list(unique)


def _values(entity: str, text: str) -> list[str]:
    return [found.value for found in find_unmasked_pii(text, [entity])]


def find_unmasked_pans(text: str) -> list[str]:
    """Valid card PANs written in full in ``text`` (13-19 digits, brand prefix 2-6)."""
    return _values("card_pan", text)


def find_unmasked_ibans(text: str) -> list[str]:
    """Valid IBANs written in full in ``text`` (compact or in groups of four)."""
    return _values("iban", text)


def find_unmasked_cn_ids(text: str) -> list[str]:
    """Valid PRC resident ID numbers written in full in ``text`` (compact or 6-8-4)."""
    return _values("cn_resident_id", text)


def find_unmasked_vins(text: str) -> list[str]:
    """VINs with a valid check digit written in full in ``text``."""
    return _values("vin", text)


def find_unmasked_emails(text: str) -> list[str]:
    """E-mail addresses written in full in ``text`` (lower-cased)."""
    return _values("email", text)


def find_unmasked_phones(text: str) -> list[str]:
    """Phone numbers written in full in ``text`` (E.164-style digits)."""
    return _values("phone", text)
