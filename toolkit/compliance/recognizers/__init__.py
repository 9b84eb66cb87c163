"""Recognizers for personal and payment data, each validated by its published checksum."""

from __future__ import annotations

from toolkit.compliance.recognizers.base import Match, Recognizer
from toolkit.compliance.recognizers.cn_resident_id import (
    CnResidentIdRecognizer,
    cn_id_check_char,
    is_valid_cn_resident_id,
)
from toolkit.compliance.recognizers.contact import EmailRecognizer, PhoneRecognizer
from toolkit.compliance.recognizers.custom import PatternRecognizer
from toolkit.compliance.recognizers.iban import IBAN_LENGTHS, IbanRecognizer, is_valid_iban
from toolkit.compliance.recognizers.luhn import CardPanRecognizer, is_valid_pan, luhn_valid
from toolkit.compliance.recognizers.vin import VinRecognizer, is_valid_vin, vin_check_digit

__all__ = [
    "BUILTIN_ENTITIES",
    "IBAN_LENGTHS",
    "CardPanRecognizer",
    "CnResidentIdRecognizer",
    "EmailRecognizer",
    "IbanRecognizer",
    "Match",
    "PatternRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "VinRecognizer",
    "builtin_recognizer",
    "cn_id_check_char",
    "is_valid_cn_resident_id",
    "is_valid_iban",
    "is_valid_pan",
    "is_valid_vin",
    "luhn_valid",
    "vin_check_digit",
]

_FACTORIES: dict[str, type[Recognizer]] = {
    "card_pan": CardPanRecognizer,
    "iban": IbanRecognizer,
    "cn_resident_id": CnResidentIdRecognizer,
    "vin": VinRecognizer,
    "email": EmailRecognizer,
    "phone": PhoneRecognizer,
}

BUILTIN_ENTITIES: tuple[str, ...] = tuple(_FACTORIES)
"""Names of the built-in entities, usable in a ``pii`` rule's ``entities``."""


def builtin_recognizer(entity: str) -> Recognizer:
    """Return a recognizer for a built-in entity name.

    Raises:
        KeyError: the name is not one of :data:`BUILTIN_ENTITIES`.
    """
    return _FACTORIES[entity]()
