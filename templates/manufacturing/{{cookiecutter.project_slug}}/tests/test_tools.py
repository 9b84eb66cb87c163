"""Manufacturing domain tools against the worked examples, with independently computed expectations.

Control-chart constants are recomputed from the distribution of the range of n normal
values (numerical integration), sampling plans are checked against plans published in
ISO 2859-1 Table 2-A (not against the numeric rule the tool encodes), and the other
figures from their definitions, written out here a second time.
"""

from __future__ import annotations

import json
import math
import random
from itertools import pairwise
from statistics import NormalDist
from typing import Any

import numpy as np
import pydantic
import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from toolkit.tooling import as_langchain_tools, collect_tools, openai_tool_schema

from {{ cookiecutter.package_name }} import tools

TOOL_NAMES = [
    "aql_plan",
    "capability",
    "oee",
    "record_concession",
    "record_correction",
    "release_lot",
    "reliability",
    "run_rules",
    "xbar_r_limits",
]
WRITE_TOOLS = {"release_lot", "record_concession", "record_correction"}
PHI = NormalDist().cdf

# ----------------------------------------------------------------------------- chart constants

_GRID = np.linspace(-9.0, 9.0, 3601)
_STEP = float(_GRID[1] - _GRID[0])
_CDF = np.array([PHI(float(x)) for x in _GRID])


def _range_moments(n: int) -> tuple[float, float]:
    """E[R] and sd[R] of the range of n standard normal values (d2 and d3)."""
    d2 = float(np.sum(1 - _CDF**n - (1 - _CDF) ** n) * _STEP)
    # E[R^2] = 2 ∫∫_{x<y} [1 - F(y)^n - (1-F(x))^n + (F(y)-F(x))^n] dx dy
    fx = _CDF[:, None]
    fy = _CDF[None, :]
    inner = 1 - fy**n - (1 - fx) ** n + np.clip(fy - fx, 0, None) ** n
    # The region x < y, with the diagonal at half weight (trapezoid rule).
    upper = np.triu(np.ones_like(inner), k=1) + 0.5 * np.eye(len(_GRID))
    second = float(2 * np.sum(inner * upper) * _STEP * _STEP)
    return d2, math.sqrt(max(second - d2 * d2, 0.0))


@pytest.mark.parametrize("n", [2, 3, 4, 5, 7, 10, 15, 20, 25])
def test_chart_constants_match_the_range_distribution(n: int) -> None:
    d2, d3 = _range_moments(n)
    c = tools.CONTROL_CHART_CONSTANTS[n]
    assert c.d2 == pytest.approx(d2, abs=0.0015)
    assert c.a2 == pytest.approx(3 / (d2 * math.sqrt(n)), abs=0.0015)
    assert c.d4 == pytest.approx(1 + 3 * d3 / d2, abs=0.0015)
    assert c.d3 == pytest.approx(max(0.0, 1 - 3 * d3 / d2), abs=0.0015)


def test_constants_cover_every_subgroup_size_from_2_to_25() -> None:
    assert sorted(tools.CONTROL_CHART_CONSTANTS) == list(range(2, 26))
    d2s = [tools.CONTROL_CHART_CONSTANTS[n].d2 for n in range(2, 26)]
    assert d2s == sorted(d2s)


# ----------------------------------------------------------------------------- X-bar / R


def test_example_1_xbar_r_from_the_summary() -> None:
    result = tools.xbar_r_limits(xbarbar=10.0, rbar=0.2, n=5)
    a2, d2, d3, d4 = 0.577, 2.326, 0.0, 2.114  # Montgomery Appendix VI, n = 5
    assert result.ucl_x == pytest.approx(10.0 + a2 * 0.2)
    assert result.lcl_x == pytest.approx(10.0 - a2 * 0.2)
    assert round(result.ucl_x, 4) == 10.1154
    assert round(result.lcl_x, 4) == 9.8846
    assert result.ucl_r == pytest.approx(d4 * 0.2)
    assert round(result.ucl_r, 4) == 0.4228
    assert result.lcl_r == d3 * 0.2 == 0
    assert round(result.sigma_hat, 4) == round(0.2 / d2, 4) == 0.0860


def test_xbar_r_from_raw_subgroups() -> None:
    rng = random.Random(7)
    groups = [[round(rng.gauss(50, 2), 3) for _ in range(4)] for _ in range(20)]
    means = [sum(g) / len(g) for g in groups]
    ranges = [max(g) - min(g) for g in groups]
    grand, rbar = sum(means) / len(means), sum(ranges) / len(ranges)
    result = tools.xbar_r_limits(subgroups=groups)
    assert result.n == 4
    assert result.subgroups == 20
    assert result.xbarbar == pytest.approx(grand)
    assert result.rbar == pytest.approx(rbar)
    assert result.ucl_x == pytest.approx(grand + 0.729 * rbar)
    assert result.ucl_r == pytest.approx(2.282 * rbar)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"subgroups": [[1.0, 2.0, 3.0], [1.0, 2.0]]}, "subgroups"),
        ({"xbarbar": 10.0, "rbar": 0.2, "n": 1}, "n"),
        ({"xbarbar": 10.0, "rbar": 0.2, "n": 26}, "n"),
        ({"xbarbar": 10.0, "n": 5}, "rbar"),
        ({"xbarbar": 10.0, "rbar": -0.1, "n": 5}, "rbar"),
        ({"subgroups": [[1.0, 2.0], [2.0, 3.0]], "n": 3}, "n"),
    ],
)
def test_xbar_r_rejects_bad_input_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        tools.xbar_r_limits(**kwargs)


# ----------------------------------------------------------------------------- run rules


def _rules(points: list[float], ruleset: str = "western_electric") -> list[tuple[str, int]]:
    result = tools.run_rules(points=points, center=0.0, sigma=1.0, ruleset=ruleset)
    return [(v.rule, v.index) for v in result.violations]


def test_example_2_eight_in_a_row_above_center_is_we4() -> None:
    points = [-0.3, 0.4, 0.8, 0.2, 1.2, 0.6, 0.4, 1.0, 1.4, -0.4]
    result = tools.run_rules(points=[20 + p / 2 for p in points], center=20, sigma=0.5)
    assert [(v.rule, v.index, v.indices) for v in result.violations] == [
        ("WE4", 8, [1, 2, 3, 4, 5, 6, 7, 8])
    ]
    assert not result.in_control


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([0.1, -0.2, 3.4, 0.0], [("WE1", 2)]),
        ([0.1, 2.3, -0.5, 2.4, 0.0], [("WE2", 3)]),
        ([-2.5, 0.3, -2.2, 0.1], [("WE2", 2)]),
        ([1.5, 1.2, 0.4, 1.7, 1.3, -0.2], [("WE3", 4)]),
        ([0.5, -0.5, 0.5, -0.5, 0.5, -0.5], []),
        ([0.1, -0.1, 0.0, 0.2, -0.3, 0.1], []),
    ],
)
def test_western_electric_rules(points: list[float], expected: list[tuple[str, int]]) -> None:
    assert _rules(points) == expected


def test_a_point_on_the_center_line_breaks_a_run() -> None:
    assert _rules([0.5, 0.5, 0.5, 0.5, 0.0, 0.5, 0.5, 0.5, 0.5]) == []


def test_nelson_rules() -> None:
    assert ("N1", 1) in _rules([0.0, -3.2], "nelson")
    assert ("N2", 8) in _rules([0.2] * 9, "nelson")
    assert ("N3", 5) in _rules([-0.5, -0.3, -0.1, 0.1, 0.3, 0.5], "nelson")
    alternating = [0.2 if i % 2 else -0.2 for i in range(14)]
    assert ("N4", 13) in _rules(alternating, "nelson")
    assert ("N5", 2) in _rules([2.2, 0.0, 2.6], "nelson")
    assert ("N6", 4) in _rules([1.1, 1.3, 0.2, 1.5, 1.2], "nelson")
    hugging = [0.1 * ((-1) ** i) * (i % 3) for i in range(15)]
    assert ("N7", 14) in _rules(hugging, "nelson")
    assert ("N8", 7) in _rules([1.5, -1.5, 1.2, -1.3, 1.4, -1.6, 1.8, -1.1], "nelson")
    assert _rules([0.3, -0.4, 0.8, -1.2, 0.5], "nelson") == []


def test_every_point_beyond_three_sigma_is_we1_and_only_those() -> None:
    rng = random.Random(11)
    points = [rng.gauss(0, 1.6) for _ in range(400)]
    we1 = [i for rule, i in _rules(points) if rule == "WE1"]
    assert we1 == [i for i, x in enumerate(points) if abs(x) > 3]


def test_run_rules_rejects_a_non_positive_sigma() -> None:
    with pytest.raises(pydantic.ValidationError, match="sigma"):
        tools.run_rules(points=[1.0, 2.0], center=1.5, sigma=0)


# ----------------------------------------------------------------------------- capability


def test_example_3_capability_below_the_customer_minimum() -> None:
    result = tools.capability(lsl=9.7, usl=10.3, mean=10.05, sigma=0.0860)
    assert result.cp == pytest.approx(0.6 / (6 * 0.086))
    assert result.cpk == pytest.approx(0.25 / (3 * 0.086))
    assert round(result.cp, 2) == 1.16
    assert round(result.cpk, 2) == 0.97
    assert not result.capable
    upper = 0.5 * math.erfc((10.3 - 10.05) / 0.086 / math.sqrt(2))
    lower = 0.5 * math.erfc((10.05 - 9.7) / 0.086 / math.sqrt(2))
    assert result.ppm == pytest.approx((upper + lower) * 1e6, rel=1e-9)
    assert result.pp is None and result.ppk is None


def test_capability_from_data_uses_moving_range_and_sample_sd() -> None:
    data = [8.02, 7.98, 8.05, 8.01, 7.97, 8.03, 8.00, 7.99, 8.04, 8.02]
    mean = sum(data) / len(data)
    s = math.sqrt(sum((x - mean) ** 2 for x in data) / (len(data) - 1))
    mr = sum(abs(b - a) for a, b in pairwise(data)) / (len(data) - 1)
    within = mr / 1.128
    result = tools.capability(lsl=7.9, usl=8.1, data=data)
    assert result.cp == pytest.approx(0.2 / (6 * within))
    assert result.ppk == pytest.approx(min(8.1 - mean, mean - 7.9) / (3 * s))
    overall = tools.capability(lsl=7.9, usl=8.1, data=data, sigma_source="overall")
    assert overall.capable is (overall.ppk is not None and overall.ppk >= 1.33)


def test_capability_from_subgrouped_data_uses_rbar_over_d2() -> None:
    data = [5.0, 5.2, 5.1, 4.9, 5.3, 5.1, 5.0, 5.2, 4.8, 5.0, 5.1, 5.2]
    groups = [data[i : i + 3] for i in range(0, 12, 3)]
    rbar = sum(max(g) - min(g) for g in groups) / 4
    result = tools.capability(lsl=4.4, usl=5.6, data=data, subgroup_size=3)
    assert result.sigma_within == pytest.approx(rbar / 1.693)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lsl": 10.3, "usl": 9.7, "mean": 10, "sigma": 0.1}, "lsl"),
        ({"lsl": 10.0, "usl": 10.0, "mean": 10, "sigma": 0.1}, "lsl"),
        ({"lsl": 9.7, "usl": 10.3, "mean": 10, "sigma": 0}, "sigma"),
        ({"lsl": 9.7, "usl": 10.3, "mean": 10, "sigma": -1}, "sigma"),
        ({"lsl": 9.7, "usl": 10.3, "sigma": 0.1}, "mean"),
        ({"lsl": 9.7, "usl": 10.3, "data": [10.0, 10.0, 10.0]}, "sigma"),
    ],
)
def test_capability_rejects_bad_input_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        tools.capability(**kwargs)


# ----------------------------------------------------------------------------- OEE


def test_example_4_oee_of_a_shift() -> None:
    result = tools.oee(planned_min=480, stop_min=60, ideal_cycle_s=60, total=400, good=380)
    availability, performance, quality = 420 / 480, 400 * 1 / 420, 380 / 400
    assert result.availability == pytest.approx(availability)
    assert result.performance == pytest.approx(performance)
    assert result.quality == pytest.approx(quality)
    assert result.oee == pytest.approx(availability * performance * quality)
    assert (round(result.availability, 3), round(result.performance, 3)) == (0.875, 0.952)
    assert (round(result.quality, 3), round(result.oee, 3)) == (0.95, 0.792)
    assert result.top_loss == "availability"
    assert not result.performance_over_one


def test_oee_flags_performance_above_one_and_names_the_top_loss() -> None:
    result = tools.oee(planned_min=420, stop_min=20, ideal_cycle_s=30, total=900, good=890)
    assert result.performance == pytest.approx(30 * 900 / (400 * 60))
    assert result.performance_over_one
    low_quality = tools.oee(planned_min=480, stop_min=10, ideal_cycle_s=60, total=450, good=300)
    assert low_quality.top_loss == "quality"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"planned_min": 480, "stop_min": 60, "ideal_cycle_s": 60, "total": 400, "good": 401},
            "good",
        ),
        (
            {"planned_min": 480, "stop_min": 500, "ideal_cycle_s": 60, "total": 400, "good": 1},
            "stop_min",
        ),
        (
            {"planned_min": 480, "stop_min": 480, "ideal_cycle_s": 60, "total": 400, "good": 1},
            "stop_min",
        ),
        (
            {"planned_min": 0, "stop_min": 0, "ideal_cycle_s": 60, "total": 400, "good": 1},
            "planned_min",
        ),
        (
            {"planned_min": 480, "stop_min": 0, "ideal_cycle_s": 0, "total": 400, "good": 1},
            "ideal_cycle_s",
        ),
    ],
)
def test_oee_rejects_bad_input_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        tools.oee(**kwargs)


# ----------------------------------------------------------------------------- AQL plans

# Plans as printed in ISO 2859-1 Table 1 and Table 2-A (single sampling, normal inspection),
# arrows already followed: (lot size, level, AQL) -> (code letter, n, Ac, Re).
PUBLISHED_PLANS = [
    ((1000, "II", 1.0), ("J", 80, 2, 3)),
    ((200, "II", 4.0), ("G", 32, 3, 4)),
    ((3000, "II", 0.65), ("K", 125, 2, 3)),
    ((3000, "II", 2.5), ("K", 125, 7, 8)),
    ((3000, "II", 4.0), ("K", 125, 10, 11)),
    ((5000, "II", 1.5), ("L", 200, 7, 8)),
    ((10000, "II", 0.65), ("L", 200, 3, 4)),
    ((150, "II", 0.65), ("F", 20, 0, 1)),
    ((150, "II", 1.0), ("E", 13, 0, 1)),  # arrow up
    ((150, "II", 1.5), ("G", 32, 1, 2)),  # arrow down
    ((500, "II", 0.65), ("J", 80, 1, 2)),  # H: arrow down
    ((50, "II", 6.5), ("D", 8, 1, 2)),
    ((3000, "II", 6.5), ("K", 125, 14, 15)),
]


@pytest.mark.parametrize(("query", "plan"), PUBLISHED_PLANS)
def test_published_single_sampling_plans(
    query: tuple[int, str, float], plan: tuple[str, int, int, int]
) -> None:
    lot_size, level, aql = query
    result = tools.aql_plan(lot_size=lot_size, aql=aql, level=level)  # type: ignore[arg-type]
    assert (result.code_letter, result.n, result.ac, result.re) == plan
    assert not result.inspect_all


def test_example_5_three_defectives_reject_the_lot() -> None:
    result = tools.aql_plan(lot_size=1000, aql=1.0, defectives=3)
    assert (result.table_1_letter, result.n, result.ac, result.re) == ("J", 80, 2, 3)
    assert result.decision == "reject"
    assert tools.aql_plan(lot_size=1000, aql=1.0, defectives=2).decision == "accept"


@pytest.mark.parametrize(
    ("lot_size", "level", "letter"),
    [
        (1000, "I", "G"),
        (1000, "III", "K"),
        (1000, "S-3", "E"),
        (1000, "S-1", "C"),
        (8, "II", "A"),
        (9, "II", "B"),
        (600_000, "II", "Q"),
        (600_000, "III", "R"),
    ],
)
def test_table_1_code_letters(lot_size: int, level: str, letter: str) -> None:
    result = tools.aql_plan(lot_size=lot_size, aql=1000, level=level)  # type: ignore[arg-type]
    assert result.table_1_letter == letter


def test_a_sample_as_large_as_the_lot_means_inspecting_all() -> None:
    result = tools.aql_plan(lot_size=5, aql=0.65)
    assert result.inspect_all
    assert result.n == 5
    assert result.code_letter == "F"  # arrows down from A to the first plan, n = 20


def test_every_standard_aql_and_letter_settles_on_a_plan() -> None:
    for aql in tools.AQL_SERIES:
        for lot_size in (2, 100, 1000, 100_000, 10_000_000):
            for level in ("S-1", "I", "II", "III"):
                plan = tools.aql_plan(lot_size=lot_size, aql=aql, level=level)  # type: ignore[arg-type]
                assert plan.re == plan.ac + 1
                assert plan.ac in (0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 44)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lot_size": 1000, "aql": 3.0}, "aql"),
        ({"lot_size": 1000, "aql": 0.5}, "aql"),
        ({"lot_size": 1, "aql": 1.0}, "lot_size"),
        ({"lot_size": 1000, "aql": 1.0, "level": "IV"}, "level"),
        ({"lot_size": 1000, "aql": 1.0, "severity": "tightened"}, "severity"),
        ({"lot_size": 1000, "aql": 1.0, "defectives": 81}, "defectives"),
    ],
)
def test_aql_plan_rejects_bad_input_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        tools.aql_plan(**kwargs)


# ----------------------------------------------------------------------------- reliability


def test_example_6_mtbf_availability_and_weibull_life() -> None:
    result = tools.reliability(
        op_hours=8760, failures=4, repair_hours=24, beta=1.5, eta=10000, t=2000
    )
    assert result.mtbf == 2190
    assert result.mttr == 6
    assert result.a_i == pytest.approx(2190 / 2196)
    assert round(result.a_i or 0, 4) == 0.9973
    assert round(result.R_t or 0, 3) == 0.914
    assert round(result.b10 or 0) == 2231


def test_weibull_life_alone_needs_no_failure_history() -> None:
    result = tools.reliability(beta=2.0, eta=20000, t=5000)
    assert result.mtbf is None
    assert result.R_t == pytest.approx(math.exp(-(0.25**2)))
    assert result.b10 == pytest.approx(20000 * math.sqrt(-math.log(0.9)))


def test_weibull_figures_agree_with_each_other() -> None:
    result = tools.reliability(op_hours=1000, failures=1, beta=2.2, eta=15000, t=5000)
    assert result.b10 is not None and result.R_t is not None and result.h_t is not None
    # R(B10) = 0.9, and h(t) = -d/dt ln R(t).
    at_b10 = tools.reliability(op_hours=1000, failures=1, beta=2.2, eta=15000, t=result.b10)
    assert at_b10.R_t == pytest.approx(0.9)
    dt = 1e-3
    later = tools.reliability(op_hours=1000, failures=1, beta=2.2, eta=15000, t=5000 + dt)
    assert later.R_t is not None
    assert result.h_t == pytest.approx(-(math.log(later.R_t) - math.log(result.R_t)) / dt, rel=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"op_hours": 100, "failures": 0}, "failures"),
        ({"op_hours": 100}, "failures"),
        ({"repair_hours": 10, "beta": 1.5, "eta": 100}, "failures"),
        ({}, "op_hours"),
        ({"op_hours": 0, "failures": 1}, "op_hours"),
        ({"op_hours": 100, "failures": 1, "beta": 1.5}, "eta"),
        ({"op_hours": 100, "failures": 1, "t": 10}, "beta"),
        ({"op_hours": 100, "failures": 1, "beta": 0, "eta": 10}, "beta"),
    ],
)
def test_reliability_rejects_bad_input_naming_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        tools.reliability(**kwargs)


# ----------------------------------------------------------------------------- write tools


def test_release_lot_holds_a_nonconforming_lot_without_a_concession() -> None:
    assert tools.release_lot(lot_id="4471").status == "released"
    held = tools.release_lot(lot_id="4471", aql_result="reject")
    assert held.status == "held"
    assert held.reasons
    assert tools.release_lot(lot_id="4471", cpk=0.97).status == "held"
    assert tools.release_lot(lot_id="4471", open_ncr=True).status == "held"
    conceded = tools.release_lot(lot_id="4471", aql_result="reject", concession_id="CON-7F3A21")
    assert conceded.status == "released"
    assert (
        conceded.reference
        == tools.release_lot(
            lot_id="4471", aql_result="reject", concession_id="CON-7F3A21"
        ).reference
    )


def test_concessions_and_corrections_are_new_records() -> None:
    concession = tools.record_concession(lot_id="4471", reason="customer accepted in writing")
    assert concession.concession_id.startswith("CON-")
    correction = tools.record_correction(
        record_id="INS-20417", corrected_value=10.26, original_value=10.62, reason="digits swapped"
    )
    assert correction.status == "appended"
    assert correction.original_value == 10.62
    assert correction.correction_id.startswith("COR-")


@pytest.mark.parametrize(
    ("tool", "kwargs", "field"),
    [
        ("release_lot", {"lot_id": "lot four"}, "lot_id"),
        ("release_lot", {"lot_id": "4471", "concession_id": "ok"}, "concession_id"),
        ("record_correction", {"record_id": "x", "corrected_value": 1.0}, "record_id"),
        (
            "record_correction",
            {"record_id": "INS-1001", "corrected_value": 1.0, "reason": "x"},
            "reason",
        ),
    ],
)
def test_write_tools_reject_bad_input(tool: str, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=field):
        getattr(tools, tool)(**kwargs)


# ----------------------------------------------------------------------------- schemas


def test_every_tool_is_collected() -> None:
    specs = collect_tools(tools)
    assert [spec.name for spec in specs] == TOOL_NAMES
    for spec in specs:
        assert spec.write is (spec.name in WRITE_TOOLS)
        assert 2 <= len(spec.examples) <= 4
        assert spec.description


@pytest.mark.parametrize(
    ("tool", "argument", "unit"),
    [
        ("oee", "planned_min", "minutes"),
        ("oee", "stop_min", "minutes"),
        ("oee", "ideal_cycle_s", "seconds"),
        ("reliability", "op_hours", "hours"),
        ("reliability", "eta", "hours"),
        ("reliability", "t", "hours"),
    ],
)
def test_schema_units(tool: str, argument: str, unit: str) -> None:
    (spec,) = [s for s in collect_tools(tools) if s.name == tool]
    prop = spec.json_schema()["parameters"]["properties"][argument]
    assert prop["x-unit"] == unit
    assert prop["description"]


def test_parameter_descriptions_carry_chinese_terms() -> None:
    for spec in collect_tools(tools):
        properties = spec.json_schema()["parameters"]["properties"]
        described = " ".join(str(p.get("description", "")) for p in properties.values())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in described), spec.name


def test_langchain_tools_have_json_schemas() -> None:
    lc_tools = as_langchain_tools(collect_tools(tools))
    assert [t.name for t in lc_tools] == TOOL_NAMES
    for lc_tool, spec in zip(lc_tools, collect_tools(tools), strict=True):
        schema = convert_to_openai_tool(lc_tool)["function"]["parameters"]
        assert set(schema["properties"]) == set(spec.json_schema()["parameters"]["properties"])
        assert "Examples: " in lc_tool.description
        json.dumps(openai_tool_schema(spec))
    rules = openai_tool_schema(tools.run_rules.__domain_tool__)["function"]["parameters"]
    assert rules["properties"]["ruleset"]["enum"] == ["western_electric", "nelson"]


def test_langchain_tools_run_with_json_arguments() -> None:
    by_name = {t.name: t for t in as_langchain_tools(collect_tools(tools))}
    plan = by_name["aql_plan"].invoke({"lot_size": 1000, "aql": 1.0})
    assert (plan["code_letter"], plan["n"]) == ("J", 80)
    limits = by_name["xbar_r_limits"].invoke({"subgroups": [[1.0, 2.0], [2.0, 4.0]]})
    assert limits["rbar"] == 1.5
    with pytest.raises(pydantic.ValidationError):
        by_name["oee"].invoke(
            {"planned_min": 480, "stop_min": 60, "ideal_cycle_s": 60, "total": 10, "good": 11}
        )


def test_write_tools_declare_x_write() -> None:
    schemas = {spec.name: spec.parameters_schema() for spec in collect_tools(tools)}
    for name in WRITE_TOOLS:
        assert schemas[name]["x-write"] is True
    assert "x-write" not in schemas["oee"]
