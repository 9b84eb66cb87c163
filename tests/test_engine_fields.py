"""What a property's schema says about its value: unit, range role, Chinese labels, period."""

from __future__ import annotations

from typing import Any

import pytest

from toolkit.engine.fields import chinese_labels, frequency_period, property_unit, range_pairs
from toolkit.engine.frequency import find_frequencies, per_period
from toolkit.engine.quantities import normalize_text
from toolkit.engine.units import convert_unit, parse_unit


@pytest.mark.parametrize(
    ("name", "schema", "unit"),
    [
        ("demand_mw", {}, "MW"),
        ("et0_mm_day", {}, "mm/days"),
        ("dose_mg_per_kg", {}, "mg/kg"),
        ("price_per_kwh", {}, "currency/kWh"),
        ("compounds_per_year", {}, None),
        ("n_months", {}, "months"),
        ("monthly_debt", {}, None),
        ("hot_spot_c", {}, "celsius"),
        ("cost", {"description": "Marginal cost in $/MWh."}, "currency/MWh"),
        ("pmin", {"description": "Minimum output (MW)."}, "MW"),
        ("w", {"description": "Body weight, kg."}, "kg"),
        ("rate", {"description": "Interest rate per year."}, None),
        ("dpd", {"description": "Days past due."}, "days"),
        ("x", {"x-unit": "$/MWh"}, "currency/MWh"),
        ("name", {"description": "A unit name."}, None),
    ],
)
def test_property_unit(name: str, schema: dict[str, Any], unit: str | None) -> None:
    assert property_unit(name, schema) == unit


def test_range_pairs_by_name_and_description() -> None:
    number = {"type": "number"}
    assert range_pairs({"pmin": number, "pmax": number, "cost": number}) == {
        "pmin": "low",
        "pmax": "high",
    }
    described = {
        "a": {"type": "number", "description": "Minimum flow."},
        "b": {"type": "number", "description": "Maximum flow."},
    }
    assert range_pairs(described) == {"a": "low", "b": "high"}


def test_chinese_labels_and_frequency_periods() -> None:
    assert chinese_labels("h2", {"description": "Hydrogen (氢气), ppm."}) == ["氢气"]
    assert frequency_period("compounds_per_year", {"type": "integer"}) == "years"
    assert frequency_period("doses", {"type": "integer", "description": "Doses a day."}) == "days"
    assert frequency_period("rate", {"type": "number", "description": "Rate per year."}) is None


@pytest.mark.parametrize(
    ("text", "period", "count"),
    [
        ("compounded quarterly", "years", 4),
        ("semi-annually", "years", 2),
        ("twice daily", "days", 2),
        ("three times a week", "weeks", 3),
        ("every 8 hours", "days", 3),
        ("按季度付息", "years", 4),
        ("每月", "years", 12),
        ("weekly", "years", 52),
    ],
)
def test_frequency_words(text: str, period: str, count: float) -> None:
    [frequency] = find_frequencies(normalize_text(text))
    assert per_period(frequency, period) == pytest.approx(count)


@pytest.mark.parametrize(
    ("expression", "unit"),
    [
        ("MW", "MW"),
        ("$/MWh", "currency/MWh"),
        ("currency/MWh", "currency/MWh"),
        ("dollars per MWh", "currency/MWh"),
        ("mg/kg", "mg/kg"),
        ("m/s", "m/s"),
        ("fraction", "fraction"),
        ("widgets", None),
    ],
)
def test_parse_unit(expression: str, unit: str | None) -> None:
    assert parse_unit(expression) == unit


def test_convert_unit_refuses_other_dimensions() -> None:
    assert convert_unit(1, "MW", "kW") == 1000
    assert convert_unit(1, "MW", "MVA") is None
    assert convert_unit(100, "celsius", "fahrenheit") == pytest.approx(212)
    assert convert_unit(120, "currency/night", "currency/nights") == 120
