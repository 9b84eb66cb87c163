# ruff: noqa: RUF001
"""Numbers, magnitudes and units in English and Chinese text."""

from __future__ import annotations

import pytest

from toolkit.engine.quantities import Quantity, convert, find_quantities, normalize_text


def found(text: str) -> list[tuple[float, str | None]]:
    return [(q.value, q.unit) for q in find_quantities(normalize_text(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200,000 at 6% over 30 years", [(200000.0, None), (6.0, "percent"), (30.0, "years")]),
        ("贷款20万，年利率6%，30年", [(200000.0, None), (6.0, "percent"), (30.0, "years")]),
        ("二十万 百分之六 三十年", [(200000.0, None), (6.0, "percent"), (30.0, "years")]),
        ("two hundred thousand dollars", [(200000.0, "currency")]),
        ("十年 一个月 万一", [(10.0, "years"), (1.0, "months")]),
        ("$1.5m and 200k", [(1500000.0, "currency"), (200000.0, None)]),
        (
            "150 MW at 12 kV and 400A, 45 bps",
            [(150.0, "MW"), (12.0, "kV"), (400.0, "A"), (45.0, "bps")],
        ),
        ("I earn 8,000 a month", [(8000.0, None)]),
        ("Customer C1 paid 9,500", [(9500.0, None)]),
        ("25°C for 3 hours", [(25.0, "celsius"), (3.0, "hours")]),
    ],
)
def test_find_quantities(text: str, expected: list[tuple[float, str | None]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("value", "unit", "target", "maximum", "expected"),
    [
        (6, "percent", "fraction", None, 0.06),
        (6, "percent", "percent", None, 6),
        (6, "percent", None, 1, 0.06),
        (45, "bps", "fraction", None, 0.0045),
        (30, "years", "months", None, 360),
        (18, "months", "years", None, 1.5),
        (2, "weeks", "days", None, 14),
        (500, "kW", "MW", None, 0.5),
        (6, "percent", "months", None, None),
        (30, "years", None, None, None),
        (212, "fahrenheit", "celsius", None, 100),
    ],
)
def test_convert(
    value: float,
    unit: str | None,
    target: str | None,
    maximum: float | None,
    expected: float | None,
) -> None:
    result = convert(Quantity(value, unit, 0, 1), target, maximum=maximum)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$20/MWh", [(20.0, "currency/MWh")]),
        ("20 USD per MWh", [(20.0, "currency/MWh")]),
        ("0.5元/千瓦时", [(0.5, "currency/kWh")]),
        ("15 mg/kg every 8 hours", [(15.0, "mg/kg"), (8.0, "hours")]),
        ("每天6毫米", [(6.0, "mm/days")]),
        ("每公斤10毫克", [(10.0, "mg/kg")]),
        ("wind 12 m/s, 3,000 m³/h", [(12.0, "m/s"), (3000.0, "m3/hours")]),
        ("-80 dBm at 2.4 GHz", [(-80.0, "dBm"), (2.4, "GHz")]),
        ("6% per year", [(6.0, "percent")]),
        ("$9,000 a month", [(9000.0, "currency/months")]),
        ("$5mm and 12 mm", [(5000000.0, "currency"), (12.0, "mm")]),
        ("40 MVA at 110 kV", [(40.0, "MVA"), (110.0, "kV")]),
    ],
)
def test_compound_and_per_units(text: str, expected: list[tuple[float, str | None]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["50–200 MW", "50-200MW", "between 50 and 200 MW", "50 to 200 MW", "50~200 MW", "50至200兆瓦"],
)
def test_ranges_mark_both_ends_with_the_unit(text: str) -> None:
    quantities = find_quantities(normalize_text(text))
    assert [(q.value, q.unit, q.role) for q in quantities] == [
        (50.0, "MW", "low"),
        (200.0, "MW", "high"),
    ]


def test_a_descending_pair_or_a_date_like_run_is_not_a_range() -> None:
    assert [q.role for q in find_quantities(normalize_text("from 9 to 5"))] == [None, None]
    assert [q.role for q in find_quantities(normalize_text("30 years -3"))] == [None, None]


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (0.5, "currency/kWh", "currency/MWh", 500.0),
        (20, "currency/MWh", "MW", None),  # a price is not a power
        (200, "MW", "currency/MWh", None),  # nor a power a price
        (20, "currency/MWh", None, 20.0),  # a plain number property takes a price
        (9000, "currency/months", "currency", 9000.0),
        (1.2, "GW", "MW", 1200.0),
        (300, "kelvin", "celsius", 26.85),
        (12, "m/s", "km/h", 43.2),
        (2, "t", "kg", 2000.0),
        (500, "ft2", "m2", 46.45152),
        (3, "hours", "minutes", 180.0),
        (6, "mm/days", "mm/days", 6.0),
        (30, "years", "currency", None),
    ],
)
def test_convert_units(value: float, unit: str, target: str | None, expected: float | None) -> None:
    result = convert(Quantity(value, unit, 0, 1), target)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)
