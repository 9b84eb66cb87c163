"""Find personal and payment data written unmasked in an answer, for every built-in entity.

Evaluation uses the very recognizers enforcement uses (`toolkit.compliance.recognizers`):
a value the output stage would mask is a leak here, a value it would let through is
not, so the leak count and the enforcement cannot drift apart. That covers every
shape the recognizers read: cards grouped by spaces, dashes, dots or a mix, with
full-width digits, glued to Chinese characters or letters, whatever label precedes
them; IBANs in either case; PRC resident ids compact or spaced; phones and addresses
glued to Chinese text. A masked value (``411111******1111``, ``j***@example.com``,
``+*********8000``) never matches: a mask character breaks the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from toolkit.compliance.recognizers import builtin_recognizer, is_valid_iban
from toolkit.compliance.recognizers import luhn_valid as _luhn

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


# Most specific first: a value that two entities could claim is reported once, as the first.
_ORDER = ("cn_resident_id", "vin", "iban", "card_pan", "email", "phone")
_RECOGNIZERS = {entity: builtin_recognizer(entity) for entity in _ORDER}

PII_ENTITIES: tuple[str, ...] = ("card_pan", "iban", "cn_resident_id", "vin", "email", "phone")
"""Every entity evaluation checks: the compliance recognizers' built-in entities."""


def find_unmasked_pii(text: str, entities: Iterable[str] = PII_ENTITIES) -> list[UnmaskedValue]:
    """Values of ``entities`` written in full in ``text``, each value once, in text order.

    Unknown entity names are ignored (the compliance rule loader refuses them).
    """
    wanted = set(entities)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, UnmaskedValue]] = []
    for entity, recognizer in _RECOGNIZERS.items():
        if entity not in wanted:
            continue
        for match in recognizer.find(text):
            start, end = match.start, match.end
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, UnmaskedValue(entity, match.value)))
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
