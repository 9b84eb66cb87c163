# ruff: noqa: RUF001, RUF002
"""Manufacturing domain tools: pure, deterministic functions the agent may call.

Every tool validates its keyword arguments (pydantic raises ``ValidationError``
naming the field), takes its thresholds as parameters and returns a pydantic
model. Formulas and sources:

* ``xbar_r_limits``: X-bar and R chart limits, X̿ ± A2·R̄, D3·R̄ and D4·R̄, σ̂ = R̄/d2
  (NIST/SEMATECH e-Handbook 6.3.2; Montgomery, Introduction to SQC, Appendix VI).
* ``run_rules``: Western Electric (1956) rules 1-4 and Nelson (1984) rules 1-8.
* ``capability``: Cp, Cpk (within-subgroup σ), Pp, Ppk (overall s), ppm from normal tails.
* ``oee``: availability × performance × quality (Nakajima; the six big losses).
* ``aql_plan``: ISO 2859-1 Table 1 code letters and the numeric rule of Table 2-A.
* ``reliability``: MTBF, MTTR, inherent availability, Weibull R(t), h(t), B10 (MIL-HDBK-338B).
* ``release_lot``, ``record_concession``, ``record_correction``: writes (ISO 9001 8.6, 8.7, 7.5.3).

Only the standard library, pydantic and ``toolkit.tooling`` are imported.
"""

from __future__ import annotations

import hashlib
import math
from itertools import pairwise
from statistics import NormalDist, fmean, stdev
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError
from toolkit.tooling import domain_tool

__all__ = [
    "AQL_SERIES",
    "CONTROL_CHART_CONSTANTS",
    "AqlPlanResult",
    "CapabilityResult",
    "ChartConstants",
    "ConcessionRecord",
    "CorrectionRecord",
    "LotRelease",
    "OeeResult",
    "ReliabilityResult",
    "RunRulesResult",
    "Violation",
    "XbarRLimits",
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

_STD_NORMAL = NormalDist()


def _unit(unit: str) -> dict[str, Any]:
    return {"x-unit": unit}


def _field_error(field: str, value: object, message: str) -> ValidationError:
    """A ValidationError naming `field`, for checks that involve more than one argument."""
    details: list[InitErrorDetails] = [
        {
            "type": PydanticCustomError("value_error", "{message}", {"message": message}),
            "loc": (field,),
            "input": value,
        }
    ]
    return ValidationError.from_exception_data("manufacturing tool arguments", details)


def _reference(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:10].upper()}"


# --------------------------------------------------------------------------- X-bar / R chart


class ChartConstants(BaseModel):
    """Control-chart constants for subgroups of size n (Montgomery, Appendix VI)."""

    a2: float
    d2: float
    d3: float
    d4: float


# n: (A2, d2, D3, D4), three decimals as published (ASTM Manual 7A, Montgomery Appendix VI).
_CONSTANTS: dict[int, tuple[float, float, float, float]] = {
    2: (1.880, 1.128, 0.0, 3.267),
    3: (1.023, 1.693, 0.0, 2.574),
    4: (0.729, 2.059, 0.0, 2.282),
    5: (0.577, 2.326, 0.0, 2.114),
    6: (0.483, 2.534, 0.0, 2.004),
    7: (0.419, 2.704, 0.076, 1.924),
    8: (0.373, 2.847, 0.136, 1.864),
    9: (0.337, 2.970, 0.184, 1.816),
    10: (0.308, 3.078, 0.223, 1.777),
    11: (0.285, 3.173, 0.256, 1.744),
    12: (0.266, 3.258, 0.283, 1.717),
    13: (0.249, 3.336, 0.307, 1.693),
    14: (0.235, 3.407, 0.328, 1.672),
    15: (0.223, 3.472, 0.347, 1.653),
    16: (0.212, 3.532, 0.363, 1.637),
    17: (0.203, 3.588, 0.378, 1.622),
    18: (0.194, 3.640, 0.391, 1.608),
    19: (0.187, 3.689, 0.403, 1.597),
    20: (0.180, 3.735, 0.415, 1.585),
    21: (0.173, 3.778, 0.425, 1.575),
    22: (0.167, 3.819, 0.434, 1.566),
    23: (0.162, 3.858, 0.443, 1.557),
    24: (0.157, 3.895, 0.451, 1.548),
    25: (0.153, 3.931, 0.459, 1.541),
}
CONTROL_CHART_CONSTANTS: dict[int, ChartConstants] = {
    n: ChartConstants(a2=a2, d2=d2, d3=d3, d4=d4) for n, (a2, d2, d3, d4) in _CONSTANTS.items()
}


class XbarRLimits(BaseModel):
    """Control limits of an X-bar chart and an R chart."""

    n: int = Field(description="Subgroup size.")
    subgroups: int | None = Field(description="Number of subgroups (None from a summary).")
    xbarbar: float = Field(description="Grand mean X̿, the X-bar chart's center line (总均值).")
    rbar: float = Field(description="Average range R̄, the R chart's center line (平均极差).")
    ucl_x: float = Field(description="X-bar chart upper control limit, X̿ + A2·R̄ (均值图上控制限).")
    lcl_x: float = Field(description="X-bar chart lower control limit, X̿ - A2·R̄ (均值图下控制限).")
    ucl_r: float = Field(description="Range chart upper control limit, D4·R̄ (极差图上控制限).")
    lcl_r: float = Field(
        description="Range chart lower control limit, D3·R̄, 0 for n ≤ 6 (极差图下控制限)."
    )
    sigma_hat: float = Field(description="Estimated sigma within subgroups, R̄/d2 (估计标准差).")
    constants: ChartConstants = Field(description="A2, d2, D3, D4 used for this n.")


@domain_tool(
    examples=(
        "Control limits for an averages-and-ranges chart: grand average 25.40 mm, "
        "mean range 0.62, samples of 4.",
        "Chart limits from these subgroups: [[5.1, 5.3, 5.0], [5.2, 5.4, 5.1], [5.0, 5.2, 5.3]]",
        "均值极差图 总平均 50.2 平均极差 1.8 子组容量 6 控制限是多少",
    )
)
def xbar_r_limits(
    subgroups: Annotated[
        list[list[float]] | None,
        Field(
            min_length=2,
            max_length=1000,
            description="Raw measurements, one list per subgroup, all the same size 2-25 "
            "(子组数据). Leave out when giving the summary xbarbar, rbar and n.",
        ),
    ] = None,
    xbarbar: Annotated[
        float | None,
        Field(
            description="Grand mean X̿ (X-double-bar, grand average, overall mean, "
            "process average, 总平均值, 总均值).",
        ),
    ] = None,
    rbar: Annotated[
        float | None,
        Field(
            ge=0,
            description="Average subgroup range R̄ (R-bar, mean range, 平均极差).",
        ),
    ] = None,
    n: Annotated[
        int | None,
        Field(
            description="Subgroup size, 2 to 25: parts in each subgroup (n, sample size, "
            "子组容量, 样本量).",
        ),
    ] = None,
    subgroup_count: Annotated[
        int | None,
        Field(
            ge=2,
            description="How many subgroups the summary came from (number of subgroups, "
            "子组数); recorded only.",
        ),
    ] = None,
) -> XbarRLimits:
    """X-bar and R control chart limits (均值-极差控制图, 控制限) from subgroups or a summary.

    UCL/LCL of X-bar = X̿ ± A2·R̄; UCL of R = D4·R̄, LCL of R = D3·R̄; σ̂ = R̄/d2,
    with the published constants for subgroup sizes 2 to 25.
    """
    count: int | None = None
    if subgroups is not None:
        size = len(subgroups[0])
        for position, group in enumerate(subgroups):
            if len(group) != size:
                raise _field_error(
                    "subgroups",
                    [len(g) for g in subgroups],
                    f"subgroups must all have the same size: subgroup 1 has {size} values, "
                    f"subgroup {position + 1} has {len(group)}",
                )
        if n is not None and n != size:
            raise _field_error("n", n, f"n is {n} but the subgroups have {size} values each")
        n = size
        count = len(subgroups)
        if subgroup_count is not None and subgroup_count != count:
            raise _field_error(
                "subgroup_count",
                subgroup_count,
                f"subgroup_count is {subgroup_count} but {count} subgroups were given",
            )
        xbarbar = fmean(fmean(g) for g in subgroups)
        rbar = fmean(max(g) - min(g) for g in subgroups)
    else:
        for name, value in (("xbarbar", xbarbar), ("rbar", rbar), ("n", n)):
            if value is None:
                raise _field_error(name, None, f"{name} is required when subgroups are not given")
        count = subgroup_count
    assert xbarbar is not None and rbar is not None and n is not None
    if n not in CONTROL_CHART_CONSTANTS:
        raise _field_error("n", n, f"subgroup size n must be 2 to 25, got {n}")
    c = CONTROL_CHART_CONSTANTS[n]
    return XbarRLimits(
        n=n,
        subgroups=count,
        xbarbar=xbarbar,
        rbar=rbar,
        ucl_x=xbarbar + c.a2 * rbar,
        lcl_x=xbarbar - c.a2 * rbar,
        ucl_r=c.d4 * rbar,
        lcl_r=c.d3 * rbar,
        sigma_hat=rbar / c.d2,
        constants=c,
    )


# --------------------------------------------------------------------------- run rules

RuleId = Literal["WE1", "WE2", "WE3", "WE4", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"]


class Violation(BaseModel):
    """One run-rule signal."""

    rule: RuleId = Field(description="WE1-WE4 (Western Electric) or N1-N8 (Nelson).")
    index: int = Field(description="0-based index of the point that completes the pattern.")
    indices: list[int] = Field(description="0-based indices of every point in the pattern.")
    description: str = Field(description="The rule in words.")


class RunRulesResult(BaseModel):
    """All signals found, in the order of the completing point."""

    ruleset: Literal["western_electric", "nelson"]
    violations: list[Violation]
    in_control: bool = Field(description="True when no rule signalled.")


_DESCRIPTIONS: dict[str, str] = {
    "WE1": "one point beyond 3 sigma",
    "WE2": "2 of 3 consecutive points beyond 2 sigma on the same side",
    "WE3": "4 of 5 consecutive points beyond 1 sigma on the same side",
    "WE4": "8 consecutive points on the same side of the center line",
    "N1": "one point beyond 3 sigma",
    "N2": "9 consecutive points on the same side of the center line",
    "N3": "6 consecutive points steadily increasing or decreasing",
    "N4": "14 consecutive points alternating up and down",
    "N5": "2 of 3 consecutive points beyond 2 sigma on the same side",
    "N6": "4 of 5 consecutive points beyond 1 sigma on the same side",
    "N7": "15 consecutive points within 1 sigma of the center line",
    "N8": "8 consecutive points beyond 1 sigma, on either side",
}


def _beyond(zs: list[float], window: range, k: float, side: int) -> list[int]:
    return [i for i in window if zs[i] * side > k]


def _k_of_m(zs: list[float], i: int, k: float, need: int, m: int) -> list[int] | None:
    if i + 1 < m:
        return None
    window = range(i - m + 1, i + 1)
    for side in (1, -1):
        if zs[i] * side > k and len(_beyond(zs, window, k, side)) >= need:
            return list(window)
    return None


def _same_side(zs: list[float], i: int, m: int) -> list[int] | None:
    if i + 1 < m:
        return None
    window = range(i - m + 1, i + 1)
    if all(zs[j] > 0 for j in window) or all(zs[j] < 0 for j in window):
        return list(window)
    return None


def _trend(xs: list[float], i: int, m: int) -> list[int] | None:
    if i + 1 < m:
        return None
    steps = [xs[j + 1] - xs[j] for j in range(i - m + 1, i)]
    if all(s > 0 for s in steps) or all(s < 0 for s in steps):
        return list(range(i - m + 1, i + 1))
    return None


def _alternating(xs: list[float], i: int, m: int) -> list[int] | None:
    if i + 1 < m:
        return None
    steps = [xs[j + 1] - xs[j] for j in range(i - m + 1, i)]
    if all(s != 0 for s in steps) and all(a * b < 0 for a, b in pairwise(steps)):
        return list(range(i - m + 1, i + 1))
    return None


def _all(zs: list[float], i: int, m: int, test: Any) -> list[int] | None:
    if i + 1 < m:
        return None
    window = range(i - m + 1, i + 1)
    return list(window) if all(test(zs[j]) for j in window) else None


@domain_tool(
    examples=(
        "Check these chart points against the Western Electric rules, centre 50, sigma 2: "
        "51, 53, 49, 57, 55, 56",
        "Apply the Nelson tests to 12.1 12.4 12.2 12.9 13.0 with mean 12 and sigma 0.3.",
        "判异准则 中心线 100 标准差 5 数据 101 112 113 99 检查是否失控",
    )
)
def run_rules(
    points: Annotated[
        list[float],
        Field(
            min_length=1,
            max_length=10000,
            description="The plotted values in time order (points, observations, readings, "
            "数据点, 观测值).",
        ),
    ],
    center: Annotated[
        float,
        Field(
            description="Center line of the chart (centre, centre line, mean, target, 中心线, "
            "中心值, 均值)."
        ),
    ],
    sigma: Annotated[
        float,
        Field(
            gt=0,
            description="Standard deviation of the plotted statistic, one sigma "
            "(σ, standard deviation, 标准差).",
        ),
    ],
    ruleset: Annotated[
        Literal["western_electric", "nelson"],
        Field(
            description="western_electric (Western Electric rules, WECO, 西电准则, 西方电气) or "
            "nelson (Nelson rules, Nelson tests, 尼尔森准则, 八大判异准则)."
        ),
    ] = "western_electric",
) -> RunRulesResult:
    """Control-chart run rules (判异准则, 失控判定): which points signal an out-of-control process.

    Western Electric: WE1 one point beyond 3σ; WE2 2 of 3 beyond 2σ, same side; WE3 4 of 5
    beyond 1σ, same side; WE4 8 in a row on one side. Nelson: N1 beyond 3σ; N2 9 on one side;
    N3 6 steadily rising or falling; N4 14 alternating; N5 2 of 3 beyond 2σ; N6 4 of 5 beyond
    1σ; N7 15 within 1σ; N8 8 beyond 1σ on either side. A pattern is reported at the point
    that completes it; a point on the center line is on neither side.
    """
    zs = [(x - center) / sigma for x in points]
    checks: list[tuple[str, Any]]
    if ruleset == "western_electric":
        checks = [
            ("WE1", lambda i: [i] if abs(zs[i]) > 3 else None),
            ("WE2", lambda i: _k_of_m(zs, i, 2, 2, 3)),
            ("WE3", lambda i: _k_of_m(zs, i, 1, 4, 5)),
            ("WE4", lambda i: _same_side(zs, i, 8)),
        ]
    else:
        checks = [
            ("N1", lambda i: [i] if abs(zs[i]) > 3 else None),
            ("N2", lambda i: _same_side(zs, i, 9)),
            ("N3", lambda i: _trend(points, i, 6)),
            ("N4", lambda i: _alternating(points, i, 14)),
            ("N5", lambda i: _k_of_m(zs, i, 2, 2, 3)),
            ("N6", lambda i: _k_of_m(zs, i, 1, 4, 5)),
            ("N7", lambda i: _all(zs, i, 15, lambda z: abs(z) < 1)),
            ("N8", lambda i: _all(zs, i, 8, lambda z: abs(z) > 1)),
        ]
    violations = [
        Violation(rule=rule, index=i, indices=found, description=_DESCRIPTIONS[rule])
        for i in range(len(points))
        for rule, check in checks
        if (found := check(i)) is not None
    ]
    return RunRulesResult(ruleset=ruleset, violations=violations, in_control=not violations)


# --------------------------------------------------------------------------- capability


class CapabilityResult(BaseModel):
    """Process capability and performance indices against the specification limits."""

    mean: float = Field(description="Process mean used.")
    sigma_within: float | None = Field(description="Within-subgroup σ (R̄/d2 or MR̄/1.128).")
    sigma_overall: float | None = Field(description="Overall sample standard deviation s.")
    cp: float | None = Field(description="(USL - LSL) / 6σ_within.")
    cpk: float | None = Field(description="min(USL - μ, μ - LSL) / 3σ_within.")
    pp: float | None = Field(description="(USL - LSL) / 6s.")
    ppk: float | None = Field(description="min(USL - μ, μ - LSL) / 3s.")
    ppm: float = Field(
        description="Expected nonconforming parts per million from the normal tails, "
        "with the σ of sigma_source.",
        json_schema_extra=_unit("ppm"),
    )
    capable: bool = Field(
        description="True when the index of sigma_source (Cpk within, Ppk overall) is at least "
        "cpk_min."
    )
    cpk_min: float = Field(description="The customer minimum used.")


def _index_pair(lsl: float, usl: float, mean: float, sigma: float) -> tuple[float, float]:
    return (usl - lsl) / (6 * sigma), min(usl - mean, mean - lsl) / (3 * sigma)


@domain_tool(
    examples=(
        "Is the bore capable? Spec 24.95 to 25.05, average 25.01, standard deviation 0.012.",
        "Cpk and Ppk of these diameters against limits 7.9 and 8.1: 8.02 7.98 8.05 8.01 7.97 8.03",
        "规格下限 4.5 上限 5.5 均值 5.2 标准差 0.1 过程能力指数是多少",
    )
)
def capability(
    lsl: Annotated[
        float,
        Field(description="Lower specification limit (LSL, lower tolerance, 规格下限, 下公差)."),
    ],
    usl: Annotated[
        float,
        Field(description="Upper specification limit (USL, upper tolerance, 规格上限, 上公差)."),
    ],
    data: Annotated[
        list[float] | None,
        Field(
            min_length=2,
            max_length=100000,
            description="Individual measurements in production order (测量数据). "
            "Leave out when giving mean and sigma.",
        ),
    ] = None,
    mean: Annotated[
        float | None,
        Field(description="Process mean μ (average, averaging, centred at, 均值, 平均值, 平均)."),
    ] = None,
    sigma: Annotated[
        float | None,
        Field(
            description="Process standard deviation σ (sigma hat, 标准差), of the kind "
            "sigma_source names.",
        ),
    ] = None,
    sigma_source: Annotated[
        Literal["within", "overall"],
        Field(
            description="within (short-term, within-subgroup σ: Cp/Cpk, 组内) or overall "
            "(long-term sample s: Pp/Ppk, performance, 整体)."
        ),
    ] = "within",
    subgroup_size: Annotated[
        int | None,
        Field(
            ge=2,
            le=25,
            description="With data: consecutive subgroups of this size give σ within as R̄/d2; "
            "without it σ within is the average moving range / 1.128.",
        ),
    ] = None,
    cpk_min: Annotated[
        float,
        Field(gt=0, description="Customer minimum Cpk (最低要求); 1.33 by default."),
    ] = 1.33,
) -> CapabilityResult:
    """Process capability Cp, Cpk, Pp, Ppk and expected ppm (过程能力, 工序能力指数, CPK).

    Cp = (USL - LSL)/6σ and Cpk = min(USL - μ, μ - LSL)/3σ with σ within (R̄/d2);
    Pp and Ppk use the overall sample standard deviation s. ppm is the expected
    fraction outside the limits from the normal distribution, times 10^6.
    """
    if lsl >= usl:
        raise _field_error("lsl", lsl, f"lsl ({lsl}) must be below usl ({usl})")
    sigma_within: float | None
    sigma_overall: float | None
    if data is not None:
        mean = fmean(data)
        sigma_overall = stdev(data)
        if subgroup_size is not None:
            usable = len(data) - len(data) % subgroup_size
            if usable < 2 * subgroup_size:
                raise _field_error(
                    "subgroup_size", subgroup_size, "data must hold at least two full subgroups"
                )
            groups = [data[i : i + subgroup_size] for i in range(0, usable, subgroup_size)]
            rbar = fmean(max(g) - min(g) for g in groups)
            sigma_within = rbar / CONTROL_CHART_CONSTANTS[subgroup_size].d2
        else:
            moving = [abs(b - a) for a, b in pairwise(data)]
            sigma_within = fmean(moving) / CONTROL_CHART_CONSTANTS[2].d2
        for name, value in (("sigma", sigma_within), ("sigma", sigma_overall)):
            if value <= 0:
                raise _field_error(name, value, "the data show no variation: sigma is 0")
    else:
        if mean is None:
            raise _field_error("mean", None, "mean is required when data are not given")
        if sigma is None:
            raise _field_error("sigma", None, "sigma is required when data are not given")
        if sigma <= 0:
            raise _field_error("sigma", sigma, f"sigma must be greater than 0, got {sigma}")
        sigma_within = sigma if sigma_source == "within" else None
        sigma_overall = sigma if sigma_source == "overall" else None
    cp = cpk = pp = ppk = None
    if sigma_within is not None:
        cp, cpk = _index_pair(lsl, usl, mean, sigma_within)
    if sigma_overall is not None:
        pp, ppk = _index_pair(lsl, usl, mean, sigma_overall)
    used = sigma_within if sigma_source == "within" else sigma_overall
    assert used is not None
    tails = _STD_NORMAL.cdf((lsl - mean) / used) + 1 - _STD_NORMAL.cdf((usl - mean) / used)
    index = cpk if sigma_source == "within" else ppk
    assert index is not None
    return CapabilityResult(
        mean=mean,
        sigma_within=sigma_within,
        sigma_overall=sigma_overall,
        cp=cp,
        cpk=cpk,
        pp=pp,
        ppk=ppk,
        ppm=tails * 1e6,
        capable=index >= cpk_min,
        cpk_min=cpk_min,
    )


# --------------------------------------------------------------------------- OEE


class OeeResult(BaseModel):
    """Overall equipment effectiveness and its three factors, as fractions."""

    availability: float = Field(
        description="Availability, run time / planned time (时间开动率).",
        json_schema_extra=_unit("fraction"),
    )
    performance: float = Field(
        description="Performance, ideal cycle time × total count / run time (性能开动率).",
        json_schema_extra=_unit("fraction"),
    )
    quality: float = Field(
        description="Quality, good count / total count (合格品率).",
        json_schema_extra=_unit("fraction"),
    )
    oee: float = Field(
        description="OEE, availability × performance × quality (设备综合效率).",
        json_schema_extra=_unit("fraction"),
    )
    run_min: float = Field(
        description="Run time, planned minus stops (运行时间).", json_schema_extra=_unit("minutes")
    )
    top_loss: Literal["availability", "performance", "quality"] = Field(
        description="Top loss, the factor losing most: the lowest of the three (最大损失)."
    )
    performance_over_one: bool = Field(
        description="True when performance exceeds 100%: the ideal cycle time is too slow "
        "or the count is wrong; check the data before using the OEE."
    )


@domain_tool(
    examples=(
        "Line 3 was scheduled 450 minutes, down 45, cycle 30 s ideal, made 780 pieces, "
        "750 good. What's the OEE?",
        "Equipment effectiveness: shift of 420 min, 25 min downtime, 12 s standard cycle, "
        "1,900 units with 1,860 right first time.",
        "计划时间 600 分钟 停机 90 分钟 理论节拍 40 秒 产量 700 件 合格 680 件 设备综合效率",
    )
)
def oee(
    planned_min: Annotated[
        float,
        Field(
            gt=0,
            description="Planned production time in minutes (scheduled, shift time, "
            "计划生产时间, 计划时间).",
            json_schema_extra=_unit("minutes"),
        ),
    ],
    stop_min: Annotated[
        float,
        Field(
            ge=0,
            description="Stop time in minutes (downtime, stops, breakdowns and changeovers, "
            "停机时间, 停机).",
            json_schema_extra=_unit("minutes"),
        ),
    ],
    ideal_cycle_s: Annotated[
        float,
        Field(
            gt=0,
            description="Ideal cycle time per piece in seconds (ideal, standard or design cycle, "
            "理论节拍, 理想周期).",
            json_schema_extra=_unit("seconds"),
        ),
    ],
    total: Annotated[
        int,
        Field(
            ge=1,
            description="Total pieces made, good and bad (total count, made, produced, output, "
            "units out, 产量, 总产量, 产出, 生产数量).",
        ),
    ],
    good: Annotated[
        int,
        Field(
            ge=0,
            description="Good pieces, right first time (good count, passed, passed inspection, "
            "合格品, 良品数, 良品, 合格).",
        ),
    ],
) -> OeeResult:
    """Overall equipment effectiveness (OEE, 设备综合效率): availability, performance, quality.

    Run = planned - stops; A = run/planned; P = ideal cycle × total / run; Q = good/total;
    OEE = A·P·Q. The top loss is the lowest factor. Performance above 1 is flagged.
    """
    if stop_min > planned_min:
        raise _field_error(
            "stop_min", stop_min, f"stop_min ({stop_min}) exceeds planned_min ({planned_min})"
        )
    if stop_min == planned_min:
        raise _field_error("stop_min", stop_min, "stop_min equals planned_min: no run time")
    if good > total:
        raise _field_error("good", good, f"good ({good}) cannot exceed total ({total})")
    run = planned_min - stop_min
    availability = run / planned_min
    performance = ideal_cycle_s * total / (run * 60)
    quality = good / total
    factors = {"availability": availability, "performance": performance, "quality": quality}
    top_loss = min(factors, key=lambda k: factors[k])
    return OeeResult(
        availability=availability,
        performance=performance,
        quality=quality,
        oee=availability * performance * quality,
        run_min=run,
        top_loss=top_loss,
        performance_over_one=performance > 1,
    )


# --------------------------------------------------------------------------- AQL sampling

AQL_SERIES: tuple[float, ...] = (
    0.010, 0.015, 0.025, 0.040, 0.065, 0.10, 0.15, 0.25, 0.40, 0.65, 1.0, 1.5, 2.5, 4.0,
    6.5, 10, 15, 25, 40, 65, 100, 150, 250, 400, 650, 1000,
)  # fmt: skip
_LETTERS = "ABCDEFGHJKLMNPQR"
_SAMPLE_SIZES = (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)
_LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
# ISO 2859-1 Table 1: upper lot-size bound, then the code letter for S-1..S-4, I, II, III.
_TABLE_1: tuple[tuple[float, str], ...] = (
    (8, "AAAAAAB"),
    (15, "AAAAABC"),
    (25, "AABBBCD"),
    (50, "ABBCCDE"),
    (90, "BBCCCEF"),
    (150, "BBCDDFG"),
    (280, "BCDEEGH"),
    (500, "BCDEFHJ"),
    (1200, "CCEFGJK"),
    (3200, "CDEGHKL"),
    (10000, "CDFGJLM"),
    (35000, "CDFHKMN"),
    (150000, "DEGJLNP"),
    (500000, "DEGJMPQ"),
    (math.inf, "DEHKNQR"),
)
# Table 2-A's numeric rule: the plan depends only on the diagonal d = letter index +
# AQL index (sample size and AQL both step by about 1.6). Ac on each diagonal:
_ACCEPT_ON_DIAGONAL = {
    14: 0,
    17: 1,
    18: 2,
    19: 3,
    20: 5,
    21: 7,
    22: 10,
    23: 14,
    24: 21,
    25: 30,
    26: 44,
}


class AqlPlanResult(BaseModel):
    """A single sampling plan for normal inspection (ISO 2859-1)."""

    code_letter: str = Field(description="Sample size code letter of the plan used (after arrows).")
    table_1_letter: str = Field(description="Code letter from Table 1 before following arrows.")
    n: int = Field(description="Sample size to inspect (the lot size when inspect_all).")
    ac: int = Field(description="Acceptance number: accept with this many nonconforming or fewer.")
    re: int = Field(description="Rejection number: reject with this many or more.")
    inspect_all: bool = Field(
        description="True when the sample size reaches the lot size: 100% inspection."
    )
    decision: Literal["accept", "reject"] | None = Field(
        description="accept or reject when defectives were given."
    )


def _plan_at(letter: int, q: int) -> tuple[int, int]:
    """Follow Table 2-A's arrows from (letter, AQL index) to (letter, Ac)."""
    for _ in range(len(_LETTERS)):
        d = letter + q
        ac = _ACCEPT_ON_DIAGONAL.get(d)
        # Ac 30 and 44 exist only in the nonconformities-per-100-units columns (AQL > 10).
        if ac is not None and not (ac >= 30 and AQL_SERIES[q] <= 10):
            return letter, ac
        if letter == len(_LETTERS) - 1 and d in (15, 16):
            # The last row has no plan below; it opens with Ac 1 (assumption, decisions.md).
            return letter, 1
        down = d <= 13 or d == 16
        letter = letter + 1 if down else letter - 1
    raise AssertionError("Table 2-A arrows did not settle")  # pragma: no cover


@domain_tool(
    examples=(
        "Sampling plan for a 3,000-piece delivery at AQL 0.65, general level II.",
        "Incoming lot of 420 housings, acceptable quality level 2.5, inspection level I: "
        "how many to pull and what are the accept/reject numbers?",
        "批量 5000 件 接收质量限 1.5 一般检验水平 II 抽样方案",
    )
)
def aql_plan(
    lot_size: Annotated[
        int,
        Field(
            ge=2,
            le=100_000_000,
            description="Number of units in the lot (lot size, batch, 批量, 批次数量).",
        ),
    ],
    aql: Annotated[
        float,
        Field(
            gt=0,
            description="Acceptance quality limit from the standard series 0.010 ... 1000 "
            "(AQL, acceptable quality level, 接收质量限, 合格质量水平).",
        ),
    ],
    level: Annotated[
        Literal["S-1", "S-2", "S-3", "S-4", "I", "II", "III"],
        Field(
            description="Inspection level (检验水平): I, II (general level II, 一般检验水平 II), "
            "III, or special S-1 to S-4 (特殊检验水平)."
        ),
    ] = "II",
    severity: Annotated[
        Literal["normal"],
        Field(
            description="normal (正常检验). Table 2-A only: tightened and reduced plans "
            "(Tables 2-B, 2-C) are not encoded."
        ),
    ] = "normal",
    defectives: Annotated[
        int | None,
        Field(
            ge=0,
            description="Nonconforming units found in the sample, if inspected "
            "(defectives, rejects, 不合格品数, 不良数).",
        ),
    ] = None,
) -> AqlPlanResult:
    """ISO 2859-1 single sampling plan (抽样方案, AQL 抽检): code letter, sample size, Ac and Re.

    Table 1 gives the code letter from lot size and inspection level; Table 2-A (single
    sampling, normal inspection) gives n, Ac and Re, following its arrows to the first plan
    below or above. When n reaches the lot size the whole lot is inspected.
    """
    q = next((i for i, v in enumerate(AQL_SERIES) if math.isclose(v, aql, rel_tol=1e-9)), None)
    if q is None:
        raise _field_error(
            "aql", aql, f"aql {aql} is not in the ISO 2859-1 series 0.010, 0.015, ... 1000"
        )
    bound_letters = next(letters for bound, letters in _TABLE_1 if lot_size <= bound)
    first = _LETTERS.index(bound_letters[_LEVELS.index(level)])
    letter, ac = _plan_at(first, q)
    n = _SAMPLE_SIZES[letter]
    inspect_all = n >= lot_size
    if inspect_all:
        n = lot_size
    decision: Literal["accept", "reject"] | None = None
    if defectives is not None:
        if defectives > n:
            raise _field_error("defectives", defectives, f"defectives exceed the sample size {n}")
        decision = "accept" if defectives <= ac else "reject"
    return AqlPlanResult(
        code_letter=_LETTERS[letter],
        table_1_letter=_LETTERS[first],
        n=n,
        ac=ac,
        re=ac + 1,
        inspect_all=inspect_all,
        decision=decision,
    )


# --------------------------------------------------------------------------- reliability


class ReliabilityResult(BaseModel):
    """Repairable-equipment figures and Weibull life figures."""

    mtbf: float | None = Field(
        description="Mean time between failures, op_hours / failures (平均故障间隔时间).",
        json_schema_extra=_unit("hours"),
    )
    mttr: float | None = Field(
        description="Mean time to repair, repair_hours / failures (平均修复时间).",
        json_schema_extra=_unit("hours"),
    )
    a_i: float | None = Field(
        description="Inherent availability, MTBF / (MTBF + MTTR) (固有可用度).",
        json_schema_extra=_unit("fraction"),
    )
    R_t: float | None = Field(
        description="Reliability at the mission time, Weibull exp(-(t/η)^β) (可靠度).",
        json_schema_extra=_unit("fraction"),
    )
    h_t: float | None = Field(
        description="Hazard rate at the mission time per hour, Weibull (β/η)(t/η)^(β-1) (失效率)."
    )
    b10: float | None = Field(
        description="B10 life by which 10% fail, η(-ln 0.9)^(1/β) (B10 寿命).",
        json_schema_extra=_unit("hours"),
    )


@domain_tool(
    examples=(
        "Compressor ran 6,000 hours with 3 breakdowns and 18 hours of repairs: MTBF and "
        "availability?",
        "Weibull shape 2.2, characteristic life 15,000 h: survival probability at 5,000 hours "
        "and the B10 life.",
        "运行 4000 小时 故障 2 次 维修共 10 小时 平均故障间隔时间是多少",
    )
)
def reliability(
    op_hours: Annotated[
        float | None,
        Field(
            gt=0,
            description="Total operating hours (ran, run time, running hours, operated, logged, "
            "in service, 运行时间, 运行小时, 累计运行).",
            json_schema_extra=_unit("hours"),
        ),
    ] = None,
    failures: Annotated[
        int | None,
        Field(ge=1, description="Number of failures (breakdowns, failed, 故障次数, 故障, 坏了)."),
    ] = None,
    repair_hours: Annotated[
        float | None,
        Field(
            ge=0,
            description="Total repair hours over all failures (repairs, fixing, downtime for "
            "repair, 维修时间, 修理).",
            json_schema_extra=_unit("hours"),
        ),
    ] = None,
    beta: Annotated[
        float | None,
        Field(gt=0, description="Weibull shape parameter β (beta, 形状参数)."),
    ] = None,
    eta: Annotated[
        float | None,
        Field(
            gt=0,
            description="Weibull scale parameter η, characteristic life (eta, 尺度参数, 特征寿命).",
            json_schema_extra=_unit("hours"),
        ),
    ] = None,
    t: Annotated[
        float | None,
        Field(
            ge=0,
            description="Age or mission time at which to evaluate R(t) and h(t) "
            "(reliability at, survive, survives, survival at, at age, 任务时间, 时的可靠度, "
            "的可靠度).",
            json_schema_extra=_unit("hours"),
        ),
    ] = None,
) -> ReliabilityResult:
    """Reliability (可靠性): MTBF, MTTR, inherent availability and Weibull R(t), h(t), B10 life.

    MTBF = op_hours/failures; MTTR = repair_hours/failures; A_i = MTBF/(MTBF + MTTR);
    R(t) = exp(-(t/η)^β); h(t) = (β/η)(t/η)^(β-1); B10 = η(-ln 0.9)^(1/β).
    """
    if (beta is None) != (eta is None):
        missing = "eta" if eta is None else "beta"
        raise _field_error(missing, None, "the Weibull figures need both beta and eta")
    if t is not None and beta is None:
        raise _field_error("beta", None, "R(t) and h(t) need the Weibull beta and eta")
    if (op_hours is None) != (failures is None):
        missing = "failures" if failures is None else "op_hours"
        raise _field_error(missing, None, "MTBF needs both op_hours and failures")
    if op_hours is None and beta is None:
        raise _field_error("op_hours", None, "give op_hours and failures, or beta and eta")
    if repair_hours is not None and failures is None:
        raise _field_error("failures", None, "MTTR needs the number of failures")
    mtbf = mttr = a_i = None
    if op_hours is not None and failures is not None:
        mtbf = op_hours / failures
        mttr = None if repair_hours is None else repair_hours / failures
        a_i = None if mttr is None else mtbf / (mtbf + mttr)
    r_t = h_t = b10 = None
    if beta is not None and eta is not None:
        b10 = eta * (-math.log(0.9)) ** (1 / beta)
        if t is not None:
            r_t = math.exp(-((t / eta) ** beta))
            h_t = (beta / eta) * (t / eta) ** (beta - 1) if t > 0 or beta >= 1 else math.inf
    return ReliabilityResult(mtbf=mtbf, mttr=mttr, a_i=a_i, R_t=r_t, h_t=h_t, b10=b10)


# --- Write tools -------------------------------------------------------------------------
# These change quality records, so compliance denies them unless the caller's role is
# allowed (M-C1-ROLE) and blocks a release that fails inspection without a concession
# (M-C1). Replace the bodies with calls to your MES / QMS; keep the signatures so the rules
# and evaluation cases still apply.


_LOT_PATTERN = r"^(?:[A-Z]{1,3}-?)?[0-9]{3,10}$"


class LotRelease(BaseModel):
    """A lot release request as submitted to the quality system."""

    reference: str = Field(description="Deterministic reference of the release request.")
    lot_id: str
    status: Literal["released", "held"]
    reasons: list[str] = Field(description="Why the lot is held (empty when released).")
    concession_id: str | None


class ConcessionRecord(BaseModel):
    """A concession (deviation permit) recorded by an authorised quality role."""

    concession_id: str
    lot_id: str
    reason: str
    status: Literal["recorded"] = "recorded"


class CorrectionRecord(BaseModel):
    """A correction appended to a quality record; the original entry is never changed."""

    correction_id: str
    record_id: str
    original_value: float | None
    corrected_value: float
    reason: str
    status: Literal["appended"] = "appended"


@domain_tool(
    write=True,
    examples=(
        "Release lot 7731 to shipping; sample passed with zero defects and Cpk 1.6.",
        "Put batch 2209 into finished-goods stock, it met the AQL.",
        "放行批次 6650 抽检合格",
    ),
)
def release_lot(
    lot_id: Annotated[
        str,
        Field(
            pattern=_LOT_PATTERN,
            description="Lot or batch number, e.g. 4471 or L-2209 (lot, batch, 批次号, 批号).",
        ),
    ],
    aql_result: Annotated[
        Literal["accept", "reject"],
        Field(
            description="Outcome of the sampling inspection: accept (passed, accepted, met the "
            "AQL, 合格, 检验通过, 抽检通过, 通过) or reject (failed, rejected, 不合格, 判退)."
        ),
    ] = "accept",
    cpk: Annotated[
        float | None,
        Field(description="Cpk of the characteristic measured on this lot, if any."),
    ] = None,
    open_ncr: Annotated[
        bool,
        Field(description="True when a nonconformance report (NCR, 不合格报告) is still open."),
    ] = False,
    concession_id: Annotated[
        str | None,
        Field(
            pattern=r"^CON-[A-Z0-9]{4,16}$",
            description="Concession recorded by a quality manager (让步接收编号), e.g. CON-1A2B3C.",
        ),
    ] = None,
    cpk_min: Annotated[
        float, Field(gt=0, description="Customer minimum Cpk; 1.33 by default.")
    ] = 1.33,
) -> LotRelease:
    """Release a lot for shipment (放行, 批次放行): a write that needs an authorised quality role.

    The lot is held when inspection rejected it, its Cpk is below the customer minimum or an
    NCR is open, unless a concession is given (ISO 9001:2015 8.6, 8.7).
    """
    reasons: list[str] = []
    if aql_result == "reject":
        reasons.append("sampling inspection rejected the lot")
    if cpk is not None and cpk < cpk_min:
        reasons.append(f"Cpk {cpk:g} is below the customer minimum {cpk_min:g}")
    if open_ncr:
        reasons.append("a nonconformance report is open")
    status: Literal["released", "held"] = (
        "held" if reasons and concession_id is None else "released"
    )
    return LotRelease(
        reference=_reference("REL", lot_id, aql_result, cpk, open_ncr, concession_id),
        lot_id=lot_id,
        status=status,
        reasons=reasons if status == "held" else [],
        concession_id=concession_id,
    )


@domain_tool(
    write=True,
    examples=(
        "Log a deviation permit for lot 3310: slight cosmetic scratch accepted by the customer.",
        "File a concession on batch 8802 because the customer signed off the undersize bore.",
        "为批次 4102 登记让步接收 客户已书面同意",
    ),
)
def record_concession(
    lot_id: Annotated[
        str,
        Field(
            pattern=_LOT_PATTERN,
            description="Lot or batch number, e.g. 4471 or L-2209 (lot, batch, 批次号, 批号).",
        ),
    ],
    reason: Annotated[
        str,
        Field(
            min_length=5,
            max_length=500,
            description="What is accepted and on whose authority (让步理由).",
        ),
    ] = "customer-approved deviation",
) -> ConcessionRecord:
    """Record a concession (让步接收, deviation permit) for a nonconforming lot.

    Only the quality manager records concessions (ISO 9001:2015 8.7; IATF 16949 8.7.1.1).
    """
    return ConcessionRecord(
        concession_id=_reference("CON", lot_id, reason), lot_id=lot_id, reason=reason
    )


@domain_tool(
    write=True,
    examples=(
        "Measurement M-20931 was keyed as 1.52 instead of 1.25; append a correction, "
        "transposed digits.",
        "Add a correcting entry to record INS-7781: gauge R&R showed the value should be 0.48.",
        "检验记录 INS-5520 录入错误 追加更正为 3.05 原因是单位写错",
    ),
)
def record_correction(
    record_id: Annotated[
        str,
        Field(
            pattern=r"^[A-Z]{1,5}-[0-9]{3,10}$",
            description="Id of the inspection or SPC record being corrected, e.g. INS-1001 "
            "(reading, record, 记录编号).",
        ),
    ],
    corrected_value: Annotated[
        float,
        Field(
            description="The correct value (should be, actually, really, showed, correct "
            "reading, 更正为, 应为, 实际).",
        ),
    ],
    original_value: Annotated[
        float | None,
        Field(
            description="The value as first recorded, kept unchanged (entered as, recorded as, "
            "keyed as, 原值, 录入为).",
        ),
    ] = None,
    reason: Annotated[
        str,
        Field(min_length=5, max_length=500, description="Why the original was wrong (更正原因)."),
    ] = "data entry error",
) -> CorrectionRecord:
    """Append a correction to an inspection or SPC record (更正记录); the original stays unchanged.

    Records are append-only (ISO 9001 7.5.3, 8.7.2): a correction is a new entry that
    names the record, the correct value and the reason. Nothing is ever deleted or overwritten.
    """
    return CorrectionRecord(
        correction_id=_reference("COR", record_id, corrected_value, reason),
        record_id=record_id,
        original_value=original_value,
        corrected_value=corrected_value,
        reason=reason,
    )
