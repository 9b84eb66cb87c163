"""How each entity is shown once masked.

Partial masks keep what a person needs to recognise their own data and no more:
a card keeps BIN + last 4 (PCI DSS Req 3.4.1 allows at most that), IBANs and
identity numbers keep the last 4, a VIN keeps positions 1-11 (the vehicle, not
the unit), an e-mail keeps its first character and domain, a phone its last 4.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["MaskStyle", "mask_value"]

MaskStyle = Literal["partial", "full"]


def _stars(n: int) -> str:
    return "*" * max(n, 0)


def mask_value(entity: str, value: str, style: MaskStyle = "partial") -> str:
    """Return the masked form of a normalised entity value.

    Args:
        entity: Entity name (built-in or custom).
        value: The normalised value as found by its recognizer.
        style: ``partial`` keeps the entity's safe part, ``full`` keeps nothing.

    Returns:
        The replacement text; it never contains more than the safe part.
    """
    if style == "full":
        return f"[{entity.upper()} REDACTED]"
    n = len(value)
    if entity == "card_pan":
        return value[:6] + _stars(n - 10) + value[-4:]
    if entity == "iban":
        return value[:2] + _stars(n - 6) + value[-4:]
    if entity == "cn_resident_id":
        return _stars(n - 4) + value[-4:]
    if entity == "vin":
        return value[:11] + _stars(n - 11)
    if entity == "email":
        local, _, domain = value.partition("@")
        return local[:1] + "***@" + domain
    if entity == "phone":
        digits = value.lstrip("+")
        return ("+" if value.startswith("+") else "") + _stars(len(digits) - 4) + digits[-4:]
    return f"[{entity.upper()} REDACTED]"
