# ruff: noqa: RUF001, RUF002
"""Grid operations domain tools: pure, deterministic functions the agent may call.

Every tool validates its keyword arguments (pydantic raises ``ValidationError``
naming the field), takes its thresholds as parameters and returns a pydantic
model. Formulas and sources:

* ``economic_dispatch``: merit-order dispatch with linear costs: every online unit at
  Pmin, the rest of demand filled in ascending cost up to Pmax; the system lambda is the
  marginal unit's cost. With constant marginal costs this is the exact optimum of the
  linear program (it is the greedy solution of a fractional knapsack).
* ``reserve_check``: planning reserve margin PRM = (resources - NID) / NID (NERC
  reliability assessments); operating reserve covers the most severe single contingency
  (NERC BAL-002).
* ``equipment_loading``: S = sqrt(3)·V·I; relative ageing V = 2^((θh - 98)/6) for normal
  Kraft paper and exp(15000/383 - 15000/(θh + 273)) for thermally upgraded paper
  (IEC 60076-7:2018 eqs. 2 and 3; IEEE C57.91).
* ``dga_diagnose``: IEC 60599:2022 ratio codes (Table 1) and the Duval triangle 1 zones.
* ``load_forecast``: seasonal naive, simple exponential smoothing and additive
  Holt-Winters (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
  sections 5.2, 8.1 and 8.3), scored by a hold-out MAPE over the last season.

Only the standard library, pydantic and ``toolkit.tooling`` are imported.
"""

from __future__ import annotations

import hashlib
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator
from toolkit.tooling import domain_tool

__all__ = [
    "DgaRatios",
    "DgaResult",
    "DispatchInstruction",
    "DispatchResult",
    "DispatchUnit",
    "EngineerEscalation",
    "ForecastResult",
    "LoadingResult",
    "ReserveResult",
    "dga_diagnose",
    "economic_dispatch",
    "equipment_loading",
    "escalate_to_engineer",
    "issue_dispatch_instruction",
    "load_forecast",
    "reserve_check",
]


def _unit(unit: str) -> dict[str, Any]:
    return {"x-unit": unit}


def _r(value: float, digits: int = 4) -> float:
    return round(value + 0.0, digits)


# --------------------------------------------------------------------------- economic dispatch


class DispatchUnit(BaseModel):
    """One online generating unit offered to the dispatch."""

    name: str = Field(min_length=1, max_length=64, description="Unit name (机组), e.g. Unit A.")
    pmin: float = Field(
        ge=0, description="Minimum stable output in MW (最小出力).", json_schema_extra=_unit("MW")
    )
    pmax: float = Field(
        ge=0, description="Maximum output in MW (最大出力).", json_schema_extra=_unit("MW")
    )
    cost: float = Field(
        ge=0,
        description="Marginal cost in $/MWh (报价, 成本, offer price).",
        json_schema_extra=_unit("$/MWh"),
    )

    @model_validator(mode="after")
    def _pmin_not_above_pmax(self) -> DispatchUnit:
        if self.pmin > self.pmax:
            raise ValueError(f"pmin ({self.pmin:g}) is above pmax ({self.pmax:g}) for {self.name}")
        return self


class DispatchResult(BaseModel):
    """Least-cost output of each unit, the marginal unit and the system lambda."""

    feasible: bool = Field(description="True when the units can serve the demand (可行).")
    dispatch: dict[str, float] = Field(
        description="Output of each unit (出力).", json_schema_extra=_unit("MW")
    )
    marginal_unit: str | None = Field(
        description="Marginal unit (边际机组): the unit that sets the price."
    )
    system_lambda: float | None = Field(
        description="System lambda, the marginal price (系统边际价格).",
        json_schema_extra=_unit("$/MWh"),
    )
    total_cost: float | None = Field(
        description="Total production cost (总成本).", json_schema_extra=_unit("$/h")
    )
    reason: str = Field(description="One sentence for the user.")


@domain_tool(
    examples=(
        "Merit order for 520 MW: G1 100-300 MW at $18/MWh, G2 80-250 MW at $26/MWh.",
        "Which unit is on the margin when the system load is 640 MW?",
        "负荷 480 兆瓦，机组甲 100至250兆瓦 22元/兆瓦时，"
        "机组乙 60至300兆瓦 35元/兆瓦时，怎么分配出力",
    )
)
def economic_dispatch(
    units: Annotated[
        list[DispatchUnit],
        Field(
            min_length=1,
            max_length=200,
            description="Online generating units (机组) with their output range and cost.",
        ),
    ],
    demand_mw: Annotated[
        float,
        Field(
            ge=0,
            description="System demand (load, 负荷, 需求) to serve in MW.",
            json_schema_extra=_unit("MW"),
        ),
    ],
) -> DispatchResult:
    """Economic dispatch (经济调度) of online units by merit order to meet demand at least cost.

    Every unit runs at Pmin; infeasible if ΣPmin > demand or ΣPmax < demand; the rest is
    filled in ascending cost up to Pmax. The system lambda is the marginal unit's cost.
    """
    names = [u.name for u in units]
    if len(set(names)) != len(names):
        raise ValueError("units: unit names must be unique")
    floor = sum(u.pmin for u in units)
    ceiling = sum(u.pmax for u in units)
    if floor > demand_mw + 1e-9:
        return DispatchResult(
            feasible=False, dispatch={}, marginal_unit=None, system_lambda=None, total_cost=None,
            reason=f"Infeasible: the units' minimum outputs sum to {floor:g} MW, above the "
            f"demand of {demand_mw:g} MW.",
        )  # fmt: skip
    if ceiling < demand_mw - 1e-9:
        return DispatchResult(
            feasible=False, dispatch={}, marginal_unit=None, system_lambda=None, total_cost=None,
            reason=f"Infeasible: the units' maximum outputs sum to {ceiling:g} MW, below the "
            f"demand of {demand_mw:g} MW.",
        )  # fmt: skip
    output = {u.name: u.pmin for u in units}
    remaining = demand_mw - floor
    marginal: DispatchUnit | None = None
    for unit in sorted(units, key=lambda u: u.cost):
        if remaining <= 1e-9:
            break
        step = min(unit.pmax - unit.pmin, remaining)
        if step > 0:
            output[unit.name] += step
            remaining -= step
            marginal = unit
    if marginal is None:
        # Demand equals the sum of minimum outputs: the next MW comes from the cheapest
        # unit that still has headroom (or, with none, the most expensive one running).
        spare = [u for u in units if u.pmax > u.pmin]
        marginal = min(spare, key=lambda u: u.cost) if spare else max(units, key=lambda u: u.cost)
    total = sum(output[u.name] * u.cost for u in units)
    return DispatchResult(
        feasible=True,
        dispatch={name: _r(mw) for name, mw in output.items()},
        marginal_unit=marginal.name,
        system_lambda=marginal.cost,
        total_cost=_r(total, 2),
        reason=f"{marginal.name} is the marginal unit at {marginal.cost:g} $/MWh.",
    )


# --------------------------------------------------------------------------- reserve margin


class ReserveResult(BaseModel):
    """Planning reserve margin against its target, and the single-contingency test."""

    prm: float = Field(
        description="Planning reserve margin (备用率) as a fraction of net internal demand.",
        json_schema_extra=_unit("fraction"),
    )
    meets_target: bool = Field(description="True when the margin reaches the target (达标).")
    covers_mssc: bool | None = Field(
        description="True when online headroom covers the largest unit (最大单一故障); "
        "null when either figure is not given."
    )
    reason: str = Field(description="One sentence for the user.")


@domain_tool(
    examples=(
        "We have 2,400 MW of capacity for a 2,050 MW peak; is the margin above 15%?",
        "Spinning headroom 90 MW against a 120 MW biggest unit: covered?",
        "装机 3000 兆瓦，最高负荷 2600 兆瓦，备用率够不够",
    )
)
def reserve_check(
    resources_mw: Annotated[
        float,
        Field(
            ge=0,
            description="Anticipated resources (capacity, fleet, available generation, 装机容量, "
            "可用容量) in MW.",
            json_schema_extra=_unit("MW"),
        ),
    ],
    net_internal_demand_mw: Annotated[
        float,
        Field(
            gt=0,
            description="Net internal demand (forecast peak, peak load, peak demand, "
            "最高负荷, 尖峰负荷) in MW.",
            json_schema_extra=_unit("MW"),
        ),
    ],
    target: Annotated[
        float,
        Field(
            ge=0,
            le=2,
            description="Target reserve margin as a fraction (15% is 0.15; 目标备用率).",
            json_schema_extra=_unit("fraction"),
        ),
    ] = 0.15,
    online_headroom_mw: Annotated[
        float | None,
        Field(
            ge=0,
            description="Online headroom (spinning reserve, 旋转备用) in MW.",
            json_schema_extra=_unit("MW"),
        ),
    ] = None,
    largest_unit_mw: Annotated[
        float | None,
        Field(
            ge=0,
            description="Largest unit (biggest single contingency, 最大机组) in MW.",
            json_schema_extra=_unit("MW"),
        ),
    ] = None,
) -> ReserveResult:
    """Planning reserve margin (备用率) check: PRM = (resources − demand)/demand against a target.

    Also tests whether online headroom covers the most severe single contingency (MSSC),
    the loss of the largest unit.
    """
    prm = (resources_mw - net_internal_demand_mw) / net_internal_demand_mw
    meets = round(prm, 9) >= round(target, 9)
    covers: bool | None = None
    if online_headroom_mw is not None and largest_unit_mw is not None:
        covers = online_headroom_mw >= largest_unit_mw
    parts = [
        f"Reserve margin {prm:.1%} is {'at or above' if meets else 'below'} "
        f"the {target:.1%} target."
    ]
    if covers is not None:
        parts.append(
            f"Online headroom {online_headroom_mw:g} MW "
            f"{'covers' if covers else 'does not cover'} the largest unit of "
            f"{largest_unit_mw:g} MW."
        )
    return ReserveResult(
        prm=_r(prm, 6), meets_target=meets, covers_mssc=covers, reason=" ".join(parts)
    )


# --------------------------------------------------------------------------- loading


class LoadingResult(BaseModel):
    """Apparent power, per-unit loading, status and relative ageing of a transformer."""

    s_mva: float = Field(description="Apparent power (视在功率).", json_schema_extra=_unit("MVA"))
    loading_pu: float = Field(
        description="Loading (负载率), per unit of the rating.", json_schema_extra=_unit("pu")
    )
    status: Literal["ok", "warn", "overload"] = Field(
        description="ok, warn (above the warning level) or overload (过载, above 1.0 pu)."
    )
    aging_v: float | None = Field(
        description="Relative ageing rate (相对老化率) at the hot spot; null without one."
    )
    escalate: bool = Field(
        description="True when the asset engineer must review the unit (overload, E-C4; 上报)."
    )


@domain_tool(
    examples=(
        "A 63 MVA bank on a 132 kV bus is carrying 250 A; what per-unit load is that?",
        "Ageing rate of normal paper at a hot spot of 104 °C on a 25 MVA, 66 kV unit at 180 A",
        "主变 50 兆伏安，220 千伏，电流 140 安，负载率多少",
    )
)
def equipment_loading(
    rated_mva: Annotated[
        float,
        Field(
            gt=0,
            description="Nameplate rating (额定容量) in MVA.",
            json_schema_extra=_unit("MVA"),
        ),
    ],
    kv_ll: Annotated[
        float,
        Field(
            gt=0,
            description="Line-to-line voltage (线电压, 电压等级) in kV.",
            json_schema_extra=_unit("kV"),
        ),
    ],
    amps: Annotated[
        float,
        Field(ge=0, description="Measured line current (电流) in A.", json_schema_extra=_unit("A")),
    ],
    hot_spot_c: Annotated[
        float | None,
        Field(
            ge=-50,
            le=250,
            description="Winding hot-spot temperature (热点温度) in °C, if measured.",
            json_schema_extra=_unit("celsius"),
        ),
    ] = None,
    paper: Annotated[
        Literal["normal", "upgraded"],
        Field(
            description="Insulation paper: normal (Kraft paper, 普通纸) or upgraded "
            "(thermally upgraded paper, 热改性纸)."
        ),
    ] = "normal",
    warn_pu: Annotated[
        float,
        Field(gt=0, le=1, description="Loading above which the status is warn (预警)."),
    ] = 0.9,
) -> LoadingResult:
    """Transformer loading (变压器负载): S = √3·V·I against the rating, with IEC 60076-7 ageing.

    Status: warn above warn_pu, overload above 1.0 pu. Relative ageing V = 2^((θh−98)/6)
    for normal paper, exp(15000/383 − 15000/(θh+273)) for thermally upgraded paper.
    """
    s_mva = math.sqrt(3) * kv_ll * amps / 1000
    pu = s_mva / rated_mva
    status: Literal["ok", "warn", "overload"] = (
        "overload" if pu > 1.0 else "warn" if pu > warn_pu else "ok"
    )
    aging: float | None = None
    if hot_spot_c is not None:
        if paper == "normal":
            aging = 2 ** ((hot_spot_c - 98) / 6)
        else:
            aging = math.exp(15000 / 383 - 15000 / (hot_spot_c + 273))
    return LoadingResult(
        s_mva=_r(s_mva, 2),
        loading_pu=_r(pu, 3),
        status=status,
        aging_v=None if aging is None else _r(aging, 3),
        escalate=status == "overload",
    )


# --------------------------------------------------------------------------- DGA


class DgaRatios(BaseModel):
    """IEC 60599 gas ratios; null when the denominator gas is zero."""

    r1: float | None = Field(description="C2H2/C2H4.")
    r2: float | None = Field(description="CH4/H2.")
    r3: float | None = Field(description="C2H4/C2H6.")


class DgaResult(BaseModel):
    """Fault type by the IEC ratio method and by the Duval triangle 1, side by side."""

    ratios: DgaRatios
    iec_code: Literal["PD", "D1", "D2", "T1", "T2", "T3", "ND"] = Field(
        description="IEC 60599 fault code (故障类型): PD, D1, D2, T1, T2, T3 or ND "
        "(not determined)."
    )
    duval1_zone: Literal["PD", "T1", "T2", "T3", "D1", "D2", "DT"] | None = Field(
        description="Duval triangle 1 zone (杜瓦尔三角); null when CH4, C2H4 and C2H2 are all zero."
    )
    duval1_percent: list[float] = Field(
        description="Relative CH4, C2H4 and C2H2 shares in percent.",
        json_schema_extra=_unit("percent"),
    )
    low_gas_flag: bool = Field(
        description="True when no gas reaches its typical level (低含量): "
        "the diagnosis is unreliable."
    )
    escalate: bool = Field(
        description="True when the asset engineer must review the unit (D2, DT or T3, E-C4; 上报)."
    )


_TYPICAL_PPM = {"h2": 50.0, "ch4": 30.0, "c2h6": 20.0, "c2h4": 60.0, "c2h2": 2.0}


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def _iec_code(r1: float | None, r2: float | None, r3: float | None) -> str:
    def between(x: float | None, low: float, high: float) -> bool:
        return x is not None and low <= x <= high

    def above(x: float | None, limit: float) -> bool:
        return x is not None and x > limit

    def below(x: float | None, limit: float) -> bool:
        return x is not None and x < limit

    if below(r2, 0.1) and below(r3, 0.2):
        return "PD"
    if above(r1, 1) and between(r2, 0.1, 0.5) and above(r3, 1):
        return "D1"
    if between(r1, 0.6, 2.5) and between(r2, 0.1, 1) and above(r3, 2):
        return "D2"
    if above(r2, 1) and below(r3, 1):
        return "T1"
    if below(r1, 0.1) and above(r2, 1) and between(r3, 1, 4):
        return "T2"
    if below(r1, 0.2) and above(r2, 1) and above(r3, 4):
        return "T3"
    return "ND"


def _duval_zone(ch4: float, c2h4: float, c2h2: float) -> str:
    if ch4 >= 98:
        return "PD"
    if c2h4 <= 23 and c2h2 >= 13:
        return "D1"
    if (23 < c2h4 <= 40 and c2h2 >= 13) or (c2h4 > 40 and c2h2 >= 29):
        return "D2"
    if c2h4 <= 20 and c2h2 <= 4:
        return "T1"
    if 20 < c2h4 < 50 and c2h2 <= 4:
        return "T2"
    if c2h4 >= 50 and c2h2 <= 15:
        return "T3"
    return "DT"


def _gas(name: str, chinese: str) -> Any:
    return Field(
        ge=0,
        le=1_000_000,
        description=f"{name} dissolved in oil ({chinese}) in ppm.",
        json_schema_extra=_unit("ppm"),
    )


@domain_tool(
    examples=(
        "Oil sample: hydrogen 40, methane 15, ethane 8, ethylene 5, acetylene 0 ppm. Fault type?",
        "Run the Duval triangle on H2 300, CH4 90, C2H6 20, C2H4 110, C2H2 60.",
        "油中溶解气体 氢气 80 甲烷 60 乙烷 20 乙烯 150 乙炔 1，属于什么故障",
    )
)
def dga_diagnose(
    h2: Annotated[float, _gas("Hydrogen H2", "氢气")],
    ch4: Annotated[float, _gas("Methane CH4", "甲烷")],
    c2h6: Annotated[float, _gas("Ethane C2H6", "乙烷")],
    c2h4: Annotated[float, _gas("Ethylene C2H4", "乙烯")],
    c2h2: Annotated[float, _gas("Acetylene C2H2", "乙炔")],
) -> DgaResult:
    """Dissolved gas analysis (DGA, 油色谱, 溶解气体分析) of transformer oil: fault type.

    IEC 60599 ratios R1 = C2H2/C2H4, R2 = CH4/H2, R3 = C2H4/C2H6 give the code; the Duval
    triangle 1 (% of CH4 + C2H4 + C2H2) gives the zone. Both methods are returned.
    """
    gases = {"h2": h2, "ch4": ch4, "c2h6": c2h6, "c2h4": c2h4, "c2h2": c2h2}
    if not any(gases.values()):
        raise ValueError("h2, ch4, c2h6, c2h4, c2h2: all gases are zero; nothing to diagnose")
    r1, r2, r3 = _ratio(c2h2, c2h4), _ratio(ch4, h2), _ratio(c2h4, c2h6)
    code = _iec_code(r1, r2, r3)
    total = ch4 + c2h4 + c2h2
    zone: str | None = None
    shares: list[float] = []
    if total > 0:
        shares = [100 * ch4 / total, 100 * c2h4 / total, 100 * c2h2 / total]
        zone = _duval_zone(*shares)
    low = all(gases[name] < _TYPICAL_PPM[name] for name in gases)
    return DgaResult.model_validate(
        {
            "ratios": {
                "r1": None if r1 is None else _r(r1),
                "r2": None if r2 is None else _r(r2),
                "r3": None if r3 is None else _r(r3),
            },
            "iec_code": code,
            "duval1_zone": zone,
            "duval1_percent": [_r(s, 1) for s in shares],
            "low_gas_flag": low,
            "escalate": code == "T3" or zone in ("D2", "DT", "T3") or code == "D2",
        }
    )


# --------------------------------------------------------------------------- load forecast


class ForecastResult(BaseModel):
    """Forecast values and the method's error on a hold-out season."""

    forecast: list[float] = Field(description="Forecast values (预测值), one per step ahead.")
    mape_holdout: float | None = Field(
        description="Hold-out MAPE (平均绝对百分比误差) over the last season.",
        json_schema_extra=_unit("percent"),
    )
    mae: float | None = Field(description="Hold-out mean absolute error (平均绝对误差).")
    method: str = Field(description="The method used.")


def _seasonal_naive(history: list[float], m: int, horizon: int) -> list[float]:
    t = len(history)
    return [history[t + h - m * ((h - 1) // m + 1) - 1] for h in range(1, horizon + 1)]


def _ses(history: list[float], horizon: int, alpha: float) -> list[float]:
    level = history[0]
    for y in history[1:]:
        level = alpha * y + (1 - alpha) * level
    return [level] * horizon


def _holt_winters(
    history: list[float], m: int, horizon: int, alpha: float, beta: float, gamma: float
) -> list[float]:
    # Classical start: level = mean of season 1, trend = mean change per step between the
    # first two seasons, seasonal = deviations of season 1 from its mean.
    first = sum(history[:m]) / m
    second = sum(history[m : 2 * m]) / m
    level, trend = first, (second - first) / m
    season = [y - first for y in history[:m]]
    for t in range(m, len(history)):
        y = history[t]
        s = season[t % m]
        previous = level
        level = alpha * (y - s) + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
        season[t % m] = gamma * (y - level) + (1 - gamma) * s
    t = len(history)
    return [level + h * trend + season[(t + h - 1) % m] for h in range(1, horizon + 1)]


def _run(
    method: str, history: list[float], m: int, horizon: int, a: float, b: float, g: float
) -> list[float]:
    if method == "seasonal_naive":
        return _seasonal_naive(history, m, horizon)
    if method == "ses":
        return _ses(history, horizon, a)
    return _holt_winters(history, m, horizon, a, b, g)


_MIN_SEASONS = {"seasonal_naive": 1, "ses": 0, "holt_winters": 2}


@domain_tool(
    examples=(
        "Project the next 3 days from hourly-peak history 610, 640, 655, 600, 620, 650, 660 "
        "with a 3-day cycle.",
        "Smooth this series with alpha 0.3 and give the next value: 410, 420, 415, 430.",
        "按周季节性预测下周负荷，历史数据如下",
    )
)
def load_forecast(
    history: Annotated[
        list[float],
        Field(
            min_length=1,
            max_length=100_000,
            description="Observed load history (历史负荷), oldest first, in MW.",
        ),
    ],
    season: Annotated[
        int,
        Field(
            ge=1,
            le=10_000,
            description="Season length (seasonality, seasonal cycle, m, 季节周期): the number "
            "of values in one cycle, 7 for daily values with a weekly pattern.",
        ),
    ],
    horizon: Annotated[
        int | None,
        Field(
            ge=1,
            le=10_000,
            description="Forecast horizon (预测步数): how many steps ahead; by default m steps.",
        ),
    ] = None,
    method: Annotated[
        Literal["seasonal_naive", "ses", "holt_winters"],
        Field(
            description="seasonal_naive (seasonal naive, same day last week, 季节性朴素), "
            "ses (simple exponential smoothing, 指数平滑) or holt_winters "
            "(additive Holt-Winters, triple exponential smoothing, 霍尔特-温特斯)."
        ),
    ] = "seasonal_naive",
    alpha: Annotated[
        float,
        Field(gt=0, le=1, description="Level smoothing weight (alpha) for ses and holt_winters."),
    ] = 0.5,
    beta: Annotated[
        float, Field(ge=0, le=1, description="Trend smoothing weight (beta) for holt_winters.")
    ] = 0.1,
    gamma: Annotated[
        float, Field(ge=0, le=1, description="Seasonal smoothing weight (gamma) for holt_winters.")
    ] = 0.1,
) -> ForecastResult:
    """Short-term load forecast (负荷预测) by seasonal naive, SES or additive Holt-Winters.

    Seasonal naive: ŷ(T+h) = y(T+h−m(⌊(h−1)/m⌋+1)). The hold-out MAPE = 100/n·Σ|y−ŷ|/|y|
    forecasts the last season from the data before it with the same method.
    """
    need = _MIN_SEASONS[method] * season
    if season > len(history):
        raise ValueError(
            f"season: a season of {season} is longer than the history ({len(history)} values)"
        )
    if len(history) < max(need, 1):
        raise ValueError(
            f"history: {method} needs at least {need} values (two seasons); got {len(history)}"
        )
    steps = season if horizon is None else horizon
    forecast = _run(method, history, season, steps, alpha, beta, gamma)
    mape: float | None = None
    mae: float | None = None
    train, test = history[:-season], history[-season:]
    if len(train) >= max(_MIN_SEASONS[method] * season, 1) and all(y != 0 for y in test):
        predicted = _run(method, train, season, season, alpha, beta, gamma)
        errors = [abs(y - p) for y, p in zip(test, predicted, strict=True)]
        mape = _r(100 * sum(e / abs(y) for e, y in zip(errors, test, strict=True)) / season, 3)
        mae = _r(sum(errors) / season, 3)
    return ForecastResult(
        forecast=[_r(v, 2) for v in forecast], mape_holdout=mape, mae=mae, method=method
    )


# --- Write tools -------------------------------------------------------------------------
# These change state, so compliance denies them unless the caller's role is allowed
# (rule E-C1-ROLE) and holds large moves for a human (E-C1). The toolkit's audit log
# records every call and decision. Replace the bodies with calls to your EMS and
# work-management systems; keep the signatures so the rules and evaluation cases still apply.


class DispatchInstruction(BaseModel):
    """A dispatch instruction as queued for three-part communication with the plant."""

    reference: str = Field(description="Deterministic reference of the instruction.")
    unit: str
    delta_mw: float = Field(json_schema_extra=_unit("MW"))
    status: Literal["queued_for_repeat_back"] = Field(
        default="queued_for_repeat_back",
        description="Queued; the plant operator must repeat it back before it is executed.",
    )


class EngineerEscalation(BaseModel):
    """A finding handed to the asset or protection engineer for sign-off."""

    reference: str = Field(description="Deterministic reference of the escalation.")
    asset: str
    engineer: Literal["asset", "protection"]
    status: Literal["routed_to_engineer"] = "routed_to_engineer"


def _reference(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:10].upper()}"


@domain_tool(
    write=True,
    examples=(
        "Tell Unit G4 to come down 30 MW for the line constraint.",
        "Order unit Hydro-2 up by 45 MW to cover the ramp.",
        "令机组3号降出力20兆瓦",
    ),
)
def issue_dispatch_instruction(
    unit: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=r"^(?:[Uu]nit[ -]?(?:[A-Z]|[A-Z]?[0-9]{1,3})|[A-Z]{1,6}-?[0-9]{1,4}[A-Za-z]?"
            r"|[A-Z][A-Za-z]{1,15}-[0-9]{1,4}|[0-9A-Za-z#]*[\u4e00-\u9fff][\u4e00-\u9fff0-9A-Za-z#]*)$",
            description="Unit to instruct (机组), e.g. Unit C.",
        ),
    ],
    delta_mw: Annotated[
        float,
        Field(
            ge=-5000,
            le=5000,
            description="Change of output in MW (出力调整): positive raises, negative lowers.",
            json_schema_extra=_unit("MW"),
        ),
    ],
    direction: Annotated[
        Literal["raise", "lower"] | None,
        Field(
            description="raise (increase, up, ramp up, 增加, 升) or lower (decrease, reduce, "
            "cut, back down, down, back off, 降低, 减); lower makes a positive delta_mw negative."
        ),
    ] = None,
    reason: Annotated[
        str, Field(min_length=1, max_length=500, description="Why the change is needed.")
    ] = "economic dispatch",
    breaker_operation: Annotated[
        bool, Field(description="True when the instruction opens or closes a breaker (开关操作).")
    ] = False,
) -> DispatchInstruction:
    """Issue a dispatch instruction (调度指令) to a unit: raise or lower its output (a write).

    Queued for three-part communication: the plant repeats it back before execution.
    """
    if direction == "lower" and delta_mw > 0:
        delta_mw = -delta_mw
    if delta_mw == 0:
        raise ValueError("delta_mw: a dispatch instruction must change the output")
    return DispatchInstruction(
        reference=_reference("DI", unit, delta_mw, reason, breaker_operation),
        unit=unit,
        delta_mw=delta_mw,
    )


@domain_tool(
    write=True,
    examples=(
        "Have protection look at the distance relay on feeder 12 that misoperated.",
        "Send the acetylene finding on GSU-1 to the asset engineer for sign-off.",
        "把1号主变的过热问题上报给设备专责",
    ),
)
def escalate_to_engineer(
    asset: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="Asset id (设备编号), e.g. T2 or transformer T2.",
            json_schema_extra={"x-identifier": True},
        ),
    ],
    engineer: Annotated[
        Literal["asset", "protection"],
        Field(
            description="asset (asset engineer, transformer, 设备专责, 设备工程师) or protection "
            "(protection engineer, relay, tripping, 保护, 继电保护, 差动保护, 跳闸)."
        ),
    ] = "asset",
    finding: Annotated[
        str, Field(min_length=1, max_length=500, description="What was found.")
    ] = "needs engineering review",
) -> EngineerEscalation:
    """Escalate (上报) an equipment or protection finding to the engineer for sign-off.

    Overloads, DGA faults (D2, DT, T3) and protection trips or bypass requests go here;
    nothing continues in service on the agent's word.
    """
    return EngineerEscalation(
        reference=_reference("ENG", asset, engineer, finding), asset=asset, engineer=engineer
    )
