from __future__ import annotations

import pytest

from toolkit.evals.pii import find_unmasked_ibans, find_unmasked_pans, iban_valid, luhn_valid


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("79927398713", True),
        ("5555555555554444", True),
        ("378282246310005", True),
        ("12a4", False),
    ],
)
def test_luhn(digits: str, ok: bool) -> None:
    assert luhn_valid(digits) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82WEST12345698765433", False),
        ("DE89370400440532013000", True),
        ("DE8937040044053201300", False),  # wrong length for DE
        ("FR1420041010050500013M02606", True),
        ("XX82WEST12345698765432", False),
    ],
)
def test_iban(iban: str, ok: bool) -> None:
    assert iban_valid(iban) is ok


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("card 4111111111111111 ok", ["4111111111111111"]),
        ("card 4111 1111 1111 1111.", ["4111111111111111"]),
        ("card 4111-1111-1111-1111", ["4111111111111111"]),
        ("card 411111******1111 masked", []),
        ("order 4111111111111112", []),
        ("timestamp 1732608000123 and 20241126093015", []),
        ("amount 231,676.38 and 1,199.10", []),
        ("phone +86 138 0013 8000", []),
        ("two numbers 4111 1111 1111 1111 2024", ["4111111111111111"]),
    ],
)
def test_find_pans(text: str, found: list[str]) -> None:
    assert find_unmasked_pans(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("IBAN GB82 WEST 1234 5698 7654 32 ok", ["GB82WEST12345698765432"]),
        ("IBAN GB82WEST12345698765432", ["GB82WEST12345698765432"]),
        ("IBAN GB82 WEST 1234 5698 7654 32 OK THEN", ["GB82WEST12345698765432"]),
        ("IBAN GB82 **** **** **** **54 32", []),
        ("IBAN GB82 WEST 1234 5698 7654 33", []),
        ("ISO 9001 AB12 CDEF GHIJ KLMN", []),
    ],
)
def test_find_ibans(text: str, found: list[str]) -> None:
    assert find_unmasked_ibans(text) == found
