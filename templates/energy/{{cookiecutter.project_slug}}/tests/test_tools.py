"""Energy domain tools against the worked examples, with independently computed expectations."""

from __future__ import annotations

import itertools
import json
import math
import random
from typing import Any

import pydantic
import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from toolkit.tooling import as_langchain_tools, collect_tools, openai_tool_schema

from {{ cookiecutter.package_name }} import tools

TOOL_NAMES = [
    "dga_diagnose",
    "economic_dispatch",
    "equipment_loading",
    "escalate_to_engineer",
    "issue_dispatch_instruction",
    "load_forecast",
    "reserve_check",
]
WRITE_TOOLS = {"escalate_to_engineer", "issue_dispatch_instruction"}

# ----------------------------------------------------------------------------- dispatch

EXAMPLE_UNITS = [
    {"name": "A", "pmin": 200, "pmax": 400, "cost": 20},
    {"name": "B", "pmin": 100, "pmax": 300, "cost": 30},
    {"name": "C", "pmin": 50, "pmax": 200, "cost": 45},
]


def _brute_force(units: list[dict[str, Any]], demand: int) -> tuple[float, dict[str, int]]:
    # Every integer-MW combination of the first units, the last takes the rest: the true
    # least-cost schedule, found without any merit order.
    best: tuple[float, dict[str, int]] | None = None
    ranges = [range(u["pmin"], u["pmax"] + 1) for u in units[:-1]]
    last = units[-1]
    for outputs in itertools.product(*ranges):
        rest = demand - sum(outputs)
        if not last["pmin"] <= rest <= last["pmax"]:
            continue
        schedule = dict(zip([u["name"] for u in units], [*outputs, rest], strict=True))
        cost = sum(schedule[u["name"]] * u["cost"] for u in units)
        if best is None or cost < best[0]:
            best = (cost, schedule)
    assert best is not None
    return best


def test_example_1_three_unit_dispatch() -> None:
    result = tools.economic_dispatch(units=EXAMPLE_UNITS, demand_mw=700)
    cost, schedule = _brute_force(EXAMPLE_UNITS, 700)
    assert result.feasible
    assert result.dispatch == schedule == {"A": 400, "B": 250, "C": 50}
    assert result.total_cost == cost == 400 * 20 + 250 * 30 + 50 * 45 == 17750
    assert result.marginal_unit == "B"
    assert result.system_lambda == 30


@pytest.mark.parametrize("seed", range(6))
def test_dispatch_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    units = []
    for index in range(3):
        pmin = rng.randrange(0, 60, 10)
        units.append(
            {"name": f"G{index}", "pmin": pmin, "pmax": pmin + rng.randrange(10, 120, 10),
             "cost": rng.choice([12, 18, 25, 31, 40])}
        )  # fmt: skip
    low, high = sum(u["pmin"] for u in units), sum(u["pmax"] for u in units)
    demand = rng.randint(low, high)
    result = tools.economic_dispatch(units=units, demand_mw=demand)
    cost, _ = _brute_force(units, demand)
    assert result.feasible
    assert result.total_cost == pytest.approx(cost)
    assert sum(result.dispatch.values()) == pytest.approx(demand)


@pytest.mark.parametrize(("demand", "word"), [(300, "minimum"), (950, "maximum")])
def test_infeasible_dispatch_says_why(demand: float, word: str) -> None:
    result = tools.economic_dispatch(units=EXAMPLE_UNITS, demand_mw=demand)
    assert not result.feasible
    assert result.dispatch == {}
    assert result.total_cost is None and result.system_lambda is None
    assert word in result.reason


def test_demand_at_the_sum_of_minimums_prices_the_next_megawatt() -> None:
    result = tools.economic_dispatch(units=EXAMPLE_UNITS, demand_mw=350)
    assert result.dispatch == {"A": 200, "B": 100, "C": 50}
    assert result.marginal_unit == "A" and result.system_lambda == 20


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"units": [{"name": "A", "pmin": 300, "pmax": 200, "cost": 20}], "demand_mw": 250},
            "pmin",
        ),
        ({"units": [{"name": "A", "pmin": -5, "pmax": 200, "cost": 20}], "demand_mw": 100}, "pmin"),
        ({"units": EXAMPLE_UNITS, "demand_mw": -1}, "demand_mw"),
        ({"units": [], "demand_mw": 100}, "units"),
        ({"units": [EXAMPLE_UNITS[0], EXAMPLE_UNITS[0]], "demand_mw": 500}, "units"),
    ],
)
def test_dispatch_rejects_bad_input(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises((pydantic.ValidationError, ValueError), match=field):
        tools.economic_dispatch(**kwargs)


# ----------------------------------------------------------------------------- reserve


def test_example_2_margin_met_contingency_not_covered() -> None:
    result = tools.reserve_check(
        resources_mw=1150, net_internal_demand_mw=1000, target=0.15,
        online_headroom_mw=150, largest_unit_mw=180,
    )  # fmt: skip
    assert result.prm == pytest.approx(150 / 1000)
    assert result.meets_target is True
    assert result.covers_mssc is False


@pytest.mark.parametrize(
    ("resources", "demand", "target", "meets"),
    [(2200, 2000, 0.15, False), (2300, 2000, 0.15, True), (1120, 1000, 0.12, True),
     (1000, 1000, 0.0, True), (900, 1000, 0.15, False)],
)  # fmt: skip
def test_reserve_margin_against_target(
    resources: float, demand: float, target: float, meets: bool
) -> None:
    result = tools.reserve_check(
        resources_mw=resources, net_internal_demand_mw=demand, target=target
    )
    assert result.prm == pytest.approx((resources - demand) / demand)
    assert result.meets_target is meets
    assert result.covers_mssc is None


def test_reserve_rejects_bad_input() -> None:
    with pytest.raises(pydantic.ValidationError, match="net_internal_demand_mw"):
        tools.reserve_check(resources_mw=100, net_internal_demand_mw=0)
    with pytest.raises(pydantic.ValidationError, match="resources_mw"):
        tools.reserve_check(resources_mw=-1, net_internal_demand_mw=100)


# ----------------------------------------------------------------------------- loading

# IEC 60076-7:2018 Table 3, relative ageing rate by hot-spot temperature.
NORMAL_PAPER = {80: 0.125, 86: 0.25, 92: 0.5, 98: 1.0, 104: 2.0, 110: 4.0, 116: 8.0}
UPGRADED_PAPER = {80: 0.036, 86: 0.073, 92: 0.145, 98: 0.282, 104: 0.536, 110: 1.0, 116: 1.83}


def test_example_3_overload() -> None:
    result = tools.equipment_loading(rated_mva=100, kv_ll=110, amps=577, hot_spot_c=110)
    # Three phases at line-to-neutral voltage: S = 3 * (V/sqrt 3) * I.
    s_mva = 3 * (110e3 / math.sqrt(3)) * 577 / 1e6
    assert result.s_mva == pytest.approx(s_mva, abs=0.005)
    assert result.s_mva == pytest.approx(109.93, abs=0.01)
    assert round(result.loading_pu, 2) == 1.10
    assert result.status == "overload"
    assert result.aging_v == pytest.approx(4.0)
    assert result.escalate is True


@pytest.mark.parametrize(
    ("paper", "table"), [("normal", NORMAL_PAPER), ("upgraded", UPGRADED_PAPER)]
)
def test_ageing_matches_the_iec_table(paper: Any, table: dict[int, float]) -> None:
    for hot_spot, expected in table.items():
        result = tools.equipment_loading(
            rated_mva=10, kv_ll=10, amps=100, hot_spot_c=hot_spot, paper=paper
        )
        assert result.aging_v == pytest.approx(expected, rel=0.02), hot_spot


@pytest.mark.parametrize(
    ("amps", "status"), [(300, "ok"), (470, "ok"), (473, "warn"), (524, "warn"), (525, "overload")]
)
def test_loading_status_thresholds(amps: float, status: str) -> None:
    # 100 MVA at 110 kV: 0.9 pu is 472.4 A and 1.0 pu is 524.9 A.
    assert (math.sqrt(3) * 110 * amps / 1000 > 90) is (status != "ok")
    result = tools.equipment_loading(rated_mva=100, kv_ll=110, amps=amps, warn_pu=0.9)
    assert result.status == status
    assert result.escalate is (status == "overload")
    assert result.aging_v is None


def test_loading_rejects_bad_input() -> None:
    with pytest.raises(pydantic.ValidationError, match="rated_mva"):
        tools.equipment_loading(rated_mva=0, kv_ll=110, amps=100)
    with pytest.raises(pydantic.ValidationError, match="amps"):
        tools.equipment_loading(rated_mva=100, kv_ll=110, amps=-3)
    with pytest.raises(pydantic.ValidationError, match="paper"):
        tools.equipment_loading(rated_mva=100, kv_ll=110, amps=3, paper="nomex")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- DGA


def test_example_4_thermal_fault_above_700c() -> None:
    result = tools.dga_diagnose(h2=100, ch4=120, c2h6=30, c2h4=250, c2h2=2)
    assert result.ratios.r1 == pytest.approx(2 / 250, abs=1e-4)
    assert result.ratios.r2 == pytest.approx(120 / 100, abs=1e-4)
    assert result.ratios.r3 == pytest.approx(250 / 30, abs=1e-4)
    assert result.iec_code == "T3"
    total = 120 + 250 + 2
    assert result.duval1_percent == pytest.approx(
        [round(100 * 120 / total, 1), round(100 * 250 / total, 1), round(100 * 2 / total, 1)]
    )
    assert result.duval1_percent == [32.3, 67.2, 0.5]
    assert result.duval1_zone == "T3"
    assert result.escalate is True
    assert result.low_gas_flag is False


@pytest.mark.parametrize(
    ("gases", "code", "zone"),
    [
        # Partial discharge: mostly hydrogen, a little methane.
        ({"h2": 1000, "ch4": 50, "c2h6": 10, "c2h4": 1, "c2h2": 0}, "PD", "PD"),
        # High-energy discharge: R1 25/30, R2 40/60, R3 30/10.
        ({"h2": 60, "ch4": 40, "c2h6": 10, "c2h4": 30, "c2h2": 25}, "D2", "D2"),
        # Low-energy discharge: R1 50/20, R2 30/100, R3 20/5.
        ({"h2": 100, "ch4": 30, "c2h6": 5, "c2h4": 20, "c2h2": 50}, "D1", "D1"),
        # Low-temperature thermal fault by the ratios; the triangle reads T2.
        ({"h2": 10, "ch4": 50, "c2h6": 80, "c2h4": 20, "c2h2": 0}, "T1", "T2"),
        # 300-700 °C: R1 < 0.1, R2 > 1, 1 <= R3 <= 4.
        ({"h2": 40, "ch4": 100, "c2h6": 50, "c2h4": 100, "c2h2": 1}, "T2", "T2"),
    ],
)
def test_dga_codes_and_zones(gases: dict[str, float], code: str, zone: str) -> None:
    result = tools.dga_diagnose(**gases)
    assert result.iec_code == code
    assert result.duval1_zone == zone
    assert result.escalate is (code in ("D2", "T3") or zone in ("D2", "DT", "T3"))


def test_mixed_zone_and_undetermined_code() -> None:
    # 40% C2H4 and 20% C2H2 lies between D2's lower edge (29% C2H2 above 40% C2H4)
    # and T3's upper edge (15% C2H2): zone DT.
    result = tools.dga_diagnose(h2=50, ch4=40, c2h6=40, c2h4=41, c2h2=19)
    shares = [100 * 40 / 100, 100 * 41 / 100, 100 * 19 / 100]
    assert shares[1] > 40 and 15 < shares[2] < 29
    assert result.duval1_zone == "DT"
    assert result.escalate is True


def test_low_gas_flag_and_zero_denominators() -> None:
    result = tools.dga_diagnose(h2=10, ch4=5, c2h6=0, c2h4=5, c2h2=0)
    assert result.low_gas_flag is True
    assert result.ratios.r3 is None
    assert result.ratios.r1 == 0


def test_dga_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="h2, ch4, c2h6, c2h4, c2h2"):
        tools.dga_diagnose(h2=0, ch4=0, c2h6=0, c2h4=0, c2h2=0)
    with pytest.raises(pydantic.ValidationError, match="c2h2"):
        tools.dga_diagnose(h2=1, ch4=1, c2h6=1, c2h4=1, c2h2=-1)


# ----------------------------------------------------------------------------- forecast

PEAKS = [900, 950, 980, 970, 960, 820, 780, 910, 960, 1000, 985, 970, 830, 790]


def test_example_5_seasonal_naive() -> None:
    result = tools.load_forecast(history=PEAKS, season=7, horizon=7, method="seasonal_naive")
    assert result.forecast == PEAKS[7:]
    actual, predicted = PEAKS[7:], PEAKS[:7]
    errors = [abs(a - p) for a, p in zip(actual, predicted, strict=True)]
    mape = 100 * sum(e / a for e, a in zip(errors, actual, strict=True)) / 7
    assert result.mape_holdout == pytest.approx(mape, abs=1e-3)
    assert round(result.mape_holdout or 0, 2) == 1.31
    assert result.mae == pytest.approx(sum(errors) / 7, abs=1e-3)


def test_seasonal_naive_repeats_the_last_season_beyond_one_season() -> None:
    result = tools.load_forecast(history=PEAKS, season=7, horizon=10)
    assert result.forecast == PEAKS[7:] + PEAKS[7:10]


def test_ses_is_an_exponentially_weighted_average() -> None:
    alpha = 0.3
    series = [410.0, 420.0, 415.0, 430.0, 428.0]
    n = len(series)
    weights = [(1 - alpha) ** (n - 1)] + [alpha * (1 - alpha) ** (n - 1 - i) for i in range(1, n)]
    level = sum(w * y for w, y in zip(weights, series, strict=True))
    result = tools.load_forecast(history=series, season=1, horizon=3, method="ses", alpha=alpha)
    assert result.forecast == pytest.approx([round(level, 2)] * 3, abs=0.006)


def _holt_winters_reference(
    y: list[float], m: int, h: int, alpha: float, beta: float, gamma: float
) -> list[float]:
    # Component form of FPP3 section 8.3, with arrays indexed by time.
    level = [sum(y[:m]) / m]
    trend = [(sum(y[m : 2 * m]) - sum(y[:m])) / m / m]
    seasonal = [y[i] - level[0] for i in range(m)]
    for t in range(m, len(y)):
        s_old = seasonal[t - m]
        level.append(alpha * (y[t] - s_old) + (1 - alpha) * (level[-1] + trend[-1]))
        trend.append(beta * (level[-1] - level[-2]) + (1 - beta) * trend[-1])
        seasonal.append(gamma * (y[t] - level[-1]) + (1 - gamma) * s_old)
    n = len(y)
    return [level[-1] + k * trend[-1] + seasonal[n - m + (k - 1) % m] for k in range(1, h + 1)]


def test_holt_winters_matches_the_component_form() -> None:
    series = [*PEAKS, 925, 975, 1010, 995, 980, 845, 805]
    result = tools.load_forecast(
        history=series, season=7, horizon=9, method="holt_winters", alpha=0.4, beta=0.1, gamma=0.2
    )
    expected = _holt_winters_reference(series, 7, 9, 0.4, 0.1, 0.2)
    assert result.forecast == pytest.approx([round(v, 2) for v in expected], abs=0.006)
    holdout = _holt_winters_reference(series[:-7], 7, 7, 0.4, 0.1, 0.2)
    errors = [abs(a - p) for a, p in zip(series[-7:], holdout, strict=True)]
    assert result.mae == pytest.approx(sum(errors) / 7, abs=1e-3)


def test_holt_winters_reproduces_a_pure_seasonal_pattern() -> None:
    pattern = [100.0, 120.0, 90.0, 110.0]
    result = tools.load_forecast(history=pattern * 3, season=4, horizon=4, method="holt_winters")
    assert result.forecast == pytest.approx(pattern)
    assert result.mape_holdout == pytest.approx(0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"history": [], "season": 1}, "history"),
        ({"history": [1.0, 2.0, 3.0], "season": 7}, "season"),
        ({"history": PEAKS[:10], "season": 7, "method": "holt_winters"}, "history"),
        ({"history": PEAKS, "season": 0}, "season"),
        ({"history": PEAKS, "season": 7, "method": "arima"}, "method"),
    ],
)
def test_forecast_rejects_bad_input(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises((pydantic.ValidationError, ValueError), match=field):
        tools.load_forecast(**kwargs)


def test_holdout_needs_data_before_the_last_season() -> None:
    result = tools.load_forecast(history=PEAKS[:7], season=7)
    assert result.forecast == PEAKS[:7]
    assert result.mape_holdout is None and result.mae is None


# ----------------------------------------------------------------------------- tool exposure


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
        ("economic_dispatch", "demand_mw", "MW"),
        ("reserve_check", "resources_mw", "MW"),
        ("reserve_check", "target", "fraction"),
        ("equipment_loading", "rated_mva", "MVA"),
        ("equipment_loading", "kv_ll", "kV"),
        ("equipment_loading", "amps", "A"),
        ("equipment_loading", "hot_spot_c", "celsius"),
        ("dga_diagnose", "h2", "ppm"),
        ("issue_dispatch_instruction", "delta_mw", "MW"),
    ],
)
def test_schema_units(tool: str, argument: str, unit: str) -> None:
    (spec,) = [s for s in collect_tools(tools) if s.name == tool]
    prop = spec.json_schema()["parameters"]["properties"][argument]
    assert prop["x-unit"] == unit
    assert prop["description"]


def test_langchain_tools_have_json_schemas() -> None:
    lc_tools = as_langchain_tools(collect_tools(tools))
    assert [t.name for t in lc_tools] == TOOL_NAMES
    for lc_tool, spec in zip(lc_tools, collect_tools(tools), strict=True):
        schema = convert_to_openai_tool(lc_tool)["function"]["parameters"]
        assert set(schema["properties"]) == set(spec.json_schema()["parameters"]["properties"])
        assert "Examples: " in lc_tool.description
        json.dumps(openai_tool_schema(spec))
    loading = openai_tool_schema(tools.equipment_loading.__domain_tool__)["function"]
    assert loading["parameters"]["properties"]["paper"]["enum"] == ["normal", "upgraded"]


def test_langchain_tools_run_with_json_arguments() -> None:
    by_name = {t.name: t for t in as_langchain_tools(collect_tools(tools))}
    dispatch = by_name["economic_dispatch"].invoke({"units": EXAMPLE_UNITS, "demand_mw": 700})
    assert dispatch["total_cost"] == 17750
    with pytest.raises(pydantic.ValidationError):
        by_name["dga_diagnose"].invoke({"h2": -1, "ch4": 1, "c2h6": 1, "c2h4": 1, "c2h2": 1})


# ----------------------------------------------------------------------------- write tools


def test_dispatch_instruction_is_queued_with_a_deterministic_reference() -> None:
    first = tools.issue_dispatch_instruction(unit="Unit C", delta_mw=30)
    again = tools.issue_dispatch_instruction(unit="Unit C", delta_mw=30)
    assert first.status == "queued_for_repeat_back"
    assert first.reference == again.reference
    assert first.reference != tools.issue_dispatch_instruction(unit="Unit C", delta_mw=31).reference


def test_lower_makes_the_change_negative() -> None:
    assert (
        tools.issue_dispatch_instruction(unit="G4", delta_mw=40, direction="lower").delta_mw == -40
    )
    assert tools.issue_dispatch_instruction(unit="G4", delta_mw=-40).delta_mw == -40


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit": "Unit C", "delta_mw": 0}, "delta_mw"),
        ({"unit": "Raise Unit C by", "delta_mw": 10}, "unit"),
        ({"unit": "Unit C", "delta_mw": 9000}, "delta_mw"),
    ],
)
def test_dispatch_instruction_rejects_bad_input(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises((pydantic.ValidationError, ValueError), match=field):
        tools.issue_dispatch_instruction(**kwargs)


@pytest.mark.parametrize("unit", ["Unit C", "G4", "Hydro-2", "GT12", "机组3号", "Unit 3"])
def test_unit_names_that_are_accepted(unit: str) -> None:
    assert tools.issue_dispatch_instruction(unit=unit, delta_mw=5).unit == unit


def test_engineer_escalation_is_routed() -> None:
    result = tools.escalate_to_engineer(asset="T2", engineer="protection", finding="relay trips")
    assert result.status == "routed_to_engineer"
    assert result.reference.startswith("ENG-")


def test_write_tools_declare_x_write() -> None:
    schemas = {spec.name: spec.parameters_schema() for spec in collect_tools(tools)}
    for name in WRITE_TOOLS:
        assert schemas[name]["x-write"] is True
    assert "x-write" not in schemas["economic_dispatch"]
