"""Tool-result values are shown readably by value and field name, never per tool."""

from __future__ import annotations

from typing import Any

import pytest

import toolkit.engine.figures as figures
from toolkit.engine.figures import (
    format_number,
    format_percent,
    format_value,
    is_empty,
    is_fraction_field,
    is_percent_field,
)


def test_exports() -> None:
    assert sorted(figures.__all__) == [
        "format_number",
        "format_percent",
        "format_value",
        "is_empty",
        "is_fraction_field",
        "is_percent_field",
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


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("dti", 0.2623875, True),
        ("pti", 0.1498, True),
        ("risk_weight", 0.5798, True),
        ("scrap_rate", 0.031, True),
        ("line_efficiency", 0.87, True),
        ("default_probability", 0.02, True),
        ("dti", 1.3, False),  # not a share of a whole: shown as a plain number
        ("flow_rate", 0.5, False),  # a rate, not a share
        ("failure_rate", 0.002, False),
        ("K", 0.0464, False),  # no name hint
        ("passes", True, False),
        ("dti", "high", False),
    ],
)
def test_fraction_fields(name: str, value: Any, expected: bool) -> None:
    assert is_fraction_field(name, value) is expected


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.2623875, "26.2%"), (0.046389, "4.64%"), (0.58, "58.0%"), (0.005, "0.500%"), (0, "0%")],
)
def test_format_percent_keeps_three_significant_digits(fraction: float, shown: str) -> None:
    assert format_percent(fraction) == shown


def test_format_value() -> None:
    assert format_value("dti", 0.2623875) == "26.2%"
    assert format_value("loss_pct", 4.5) == "4.50%"
    assert is_percent_field("loss_pct") and not is_percent_field("loss")
    assert format_value("passes", True) == "true"
    assert format_value("amounts", [9500.0, 9800.0, 9700.0]) == "9,500 / 9,800 / 9,700"
    assert format_value("values", list(range(10))).endswith("(+2 more)")
    assert format_value("rows", [{"a": 1}, {"a": 2}]) == "2 items"
    assert format_value("alert", {"total": 29000.0, "ids": [], "kind": "x"}) == (
        "total: 29,000, kind: x"
    )
    assert format_value("note", None) == "null"


@pytest.mark.parametrize(
    ("value", "empty"),
    [(None, True), ("", True), ([], True), ({}, True), (0, False), (False, False), ("x", False)],
)
def test_is_empty(value: Any, empty: bool) -> None:
    assert is_empty(value) is empty
