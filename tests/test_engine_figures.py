"""Tool-result values are shown as their schema says (unit, fraction), never by field name."""

from __future__ import annotations

from typing import Any

import pytest

import toolkit.engine.figures as figures
from toolkit.engine.figures import (
    format_number,
    format_percent,
    format_value,
    is_empty,
    is_fraction,
    is_percent,
)


def test_exports() -> None:
    assert sorted(figures.__all__) == [
        "format_number",
        "format_percent",
        "format_value",
        "is_empty",
        "is_fraction",
        "is_percent",
        "unit_of",
    ]


@pytest.mark.parametrize(
    ("value", "name", "shown"),
    [
        (1199.1, "payment", "1,199.10"),
        (231676.38, "total_interest", "231,676.38"),
        (200000.0, "principal", "200,000"),
        (90.0, "el", "90"),
        (8000, "income", "8,000"),
        (-1234.5, "delta", "-1,234.50"),
        (0.0945560894, "R", "0.09456"),
        (2026, "year", "2026"),
        (40123, "customer_id", "40123"),
        (1.0, "count", "1"),
        (3.14159, "temperature", "3.14"),
    ],
)
def test_format_number(value: float, name: str, shown: str) -> None:
    assert format_number(value, name) == shown


FRACTION = {"type": "number", "x-unit": "fraction"}


@pytest.mark.parametrize(
    ("schema", "fraction", "percent"),
    [
        (FRACTION, True, False),
        ({"description": "Share of capacity in use, as a fraction."}, True, False),
        ({"description": "Scrap as a percentage of output."}, False, True),
        ({"x-unit": "percent"}, False, True),
        ({"x-unit": "currency", "description": "as a fraction"}, False, False),  # unit wins
        ({"description": "Asset correlation."}, False, False),
        (None, False, False),
    ],
)
def test_only_the_schema_makes_a_percent(
    schema: dict[str, Any] | None, fraction: bool, percent: bool
) -> None:
    assert is_fraction(schema) is fraction
    assert is_percent(schema) is percent


@pytest.mark.parametrize("name", ["dti", "pti", "ltv", "risk_weight", "default_rate", "share"])
def test_a_name_alone_never_makes_a_percent(name: str) -> None:
    # Without a schema a value is shown neutrally, whatever its field is called.
    assert format_value(name, 0.2623875) == "0.2624"
    assert format_value(name, 0.2623875, FRACTION) == "26.2%"


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.2623875, "26.2%"), (0.046389, "4.64%"), (0.58, "58.0%"), (0.005, "0.500%"), (0, "0%")],
)
def test_format_percent_keeps_three_significant_digits(fraction: float, shown: str) -> None:
    assert format_percent(fraction) == shown


def test_format_value_by_unit_and_language() -> None:
    currency = {"x-unit": "currency"}
    assert format_value("total", 29000.0, currency) == "29,000.00"
    assert format_value("el", 90.0, currency) == "90.00"
    assert format_value("payment", 1199.1, currency) == "1,199.10"
    assert format_value("loss", 4.5, {"x-unit": "percent"}) == "4.50%"
    assert format_value("n", 360, {"x-unit": "months"}) == "360 months"
    assert format_value("n", 360, {"x-unit": "months"}, chinese=True) == "360 个月"
    assert format_value("load", 150, {"x-unit": "MW"}) == "150 MW"
    assert format_value("passes", True) == "yes"
    assert format_value("passes", False, chinese=True) == "否"
    assert format_value("amounts", [9500.0, 9800.0, 9700.0]) == "9,500 / 9,800 / 9,700"
    assert format_value("values", list(range(10))).endswith("(+2)")
    assert format_value("rows", [{"a": 1}, {"a": 2}]) == "2 items"
    assert format_value(
        "alert", {"total": 29000.0, "ids": [], "kind": "x"}, {"properties": {"total": currency}}
    ) == ("total 29,000.00, kind x")
    assert format_value("note", None) == "none"


@pytest.mark.parametrize(
    ("value", "empty"),
    [(None, True), ("", True), ([], True), ({}, True), (0, False), (False, False), ("x", False)],
)
def test_is_empty(value: Any, empty: bool) -> None:
    assert is_empty(value) is empty
