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
