"""Automotive domain tools: pure, deterministic functions the agent may call.

Every tool validates its keyword arguments (pydantic raises ``ValidationError``
naming the field) and returns a pydantic model. Formulas and sources:

* ``parse_dtc``: SAE J2012 / ISO 15031-6 diagnostic trouble codes, text or the two raw bytes.
* ``asil_determine``: ISO 26262-3:2018 Table 4 (S + E + C: 10 D, 9 C, 8 B, 7 A, else QM).
* ``longitudinal_criticality``: TTC, DRAC and DST car-following surrogate measures;
  5 m/s² reference deceleration of UN R157 (ALKS), 6 m/s² emergency.
* ``odd_coverage``: full-factorial and pairwise coverage over ISO 34503 ODD attributes.
* ``vin_check``: ISO 3779 / 49 CFR 565.15 check digit and model-year code.
* ``recall_lookup``: an offline fixture with NHTSA ``recallsByVehicle`` field names.
* ``escalate_safety_case`` (49 CFR 573.6) and ``approve_release`` (ISO 26262-2 release
  for production): the write tools. No tool triggers an OTA update or flashes an ECU (UN R156).

Only the standard library, pydantic and ``toolkit.tooling`` are imported.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field
from toolkit.tooling import domain_tool

__all__ = [
    "VIN_WEIGHTS",
    "AsilResult",
    "Campaign",
    "CriticalityResult",
    "DtcResult",
    "OddCoverageResult",
    "RecallResult",
    "ReleaseApproval",
    "SafetyCase",
    "VinResult",
    "approve_release",
    "asil_determine",
    "escalate_safety_case",
    "longitudinal_criticality",
    "odd_coverage",
    "parse_dtc",
    "recall_lookup",
    "vin_check",
]


def _unit(unit: str) -> dict[str, Any]:
    return {"x-unit": unit}


def _reference(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8].upper()
    return f"{prefix}-{digest}"


# --------------------------------------------------------------------------- DTC (SAE J2012)

_SYSTEMS = {"P": "powertrain", "C": "chassis", "B": "body", "U": "network"}
_LETTERS = "PCBU"  # raw byte A bits 7-6: 00 P, 01 C, 10 B, 11 U
_POWERTRAIN_AREAS = {
    "0": "fuel and air metering and auxiliary emission controls",
    "1": "fuel and air metering",
    "2": "fuel and air metering (injector circuit)",
    "3": "ignition system or misfire",
    "4": "auxiliary emission controls",
    "5": "vehicle speed, idle control and auxiliary inputs",
    "6": "computer and output circuits",
    "7": "transmission",
    "8": "transmission",
    "9": "transmission",
    "A": "hybrid propulsion",
    "B": "hybrid propulsion",
    "C": "hybrid propulsion",
    "D": "reserved by SAE",
    "E": "reserved by SAE",
    "F": "reserved by SAE",
}
_OTHER_AREAS = {
    "C": "chassis (brakes, steering, suspension, wheels)",
    "B": "body (restraints and airbags, seats, climate, lighting)",
    "U": "network and vehicle integration (CAN, LIN, module communication)",
}


class DtcResult(BaseModel):
    """A diagnostic trouble code decoded per SAE J2012."""

    code: str = Field(description="Trouble code (故障码), five characters such as P0301.")
    system: Literal["powertrain", "chassis", "body", "network"] = Field(
        description="Vehicle system (系统): P powertrain, C chassis, B body, U network."
    )
    owner: Literal["SAE", "manufacturer"] = Field(
        description="Code owner (定义方): SAE for a generic code, else the manufacturer."
    )
    subsystem: str = Field(description="Subsystem (子系统), the area the third character names.")
    cylinder: int | None = Field(
        default=None, description="Misfiring cylinder (失火气缸) of a P0301-P0312 code."
    )
    raw_bytes: str = Field(description="Raw bytes (原始字节) as sent on the bus, in hex.")


def _dtc_from_bytes(a: int, b: int) -> str:
    return f"{_LETTERS[a >> 6]}{(a >> 4) & 0x3}{a & 0xF:X}{b:02X}"


def _normalize_dtc(value: str) -> str:
    text = value.strip().upper()
    compact = text.replace("0X", "").replace(" ", "").replace(",", "").replace("-", "")
    if len(compact) == 5 and compact[0] in _SYSTEMS:
        if compact[1] not in "0123" or any(ch not in "0123456789ABCDEF" for ch in compact[2:]):
            raise ValueError(
                "code must be a letter P, C, B or U, a digit 0-3 and three hex digits (e.g. P0301)"
            )
        return compact
    if len(compact) == 4 and all(ch in "0123456789ABCDEF" for ch in compact):
        return _dtc_from_bytes(int(compact[:2], 16), int(compact[2:], 16))
    raise ValueError("code must be a DTC such as P0301 or the two raw bytes in hex such as 01 43")


@domain_tool(
    examples=(
        "Decode trouble code C0561 for me.",
        "Freeze frame shows bytes 0x04 0x20 -- which DTC is that?",
        "故障码 U0100 是哪个系统的",
    )
)
def parse_dtc(
    code: Annotated[
        str,
        AfterValidator(_normalize_dtc),
        Field(
            min_length=2,
            max_length=20,
            description="Diagnostic trouble code (故障码, DTC) such as P0301, or the two raw "
            "bytes of the code in hex such as 01 43 or 0x01 0x43.",
            json_schema_extra={
                "pattern": r"^(?:[PCBUpcbu][0-3][0-9A-Fa-f]{3}"
                r"|(?:0x)?[0-9A-Fa-f]{2} ?(?:0x)?[0-9A-Fa-f]{2})$",
                "x-identifier": True,
            },
        ),
    ],
) -> DtcResult:
    """Decode an OBD diagnostic trouble code (DTC, fault or error code, 故障码) a scan tool or scanner reads (诊断仪, 扫描仪读出): what the code means (什么故障), system, SAE or manufacturer code, subsystem.

    SAE J2012: a letter (P powertrain, C chassis, B body, U network) and four characters. From
    raw bytes A B: bits 7-6 of A give the letter (00 P, 01 C, 10 B, 11 U), bits 5-4 the
    second character, the low nibble the third, byte B the last two. P0 and P2 are SAE
    codes, P1 the manufacturer's, P3 splits (P30-P33 manufacturer, P34-P39 SAE); B/C/U 0
    and 3 are SAE, 1 and 2 the manufacturer's. The third character of a powertrain code
    names the area: 1-2 fuel and air metering, 3 ignition or misfire, 4 auxiliary emission
    controls, 5 speed and idle, 6 computer circuits, 7-9 transmission.
    """
    normalized = code  # already normalized by the field validator
    letter, second, third = normalized[0], normalized[1], normalized[2]
    if letter == "P":
        owner = "manufacturer" if second == "1" or (second == "3" and third in "0123") else "SAE"
        subsystem = _POWERTRAIN_AREAS[third]
    else:
        owner = "manufacturer" if second in "12" else "SAE"
        subsystem = _OTHER_AREAS[letter]
    cylinder = None
    if letter == "P" and normalized[1:4] == "030" and normalized[4] != "0":
        cylinder = int(normalized[4], 16)
    a = (_LETTERS.index(letter) << 6) | (int(second) << 4) | int(third, 16)
    return DtcResult(
        code=normalized,
        system=_SYSTEMS[letter],  # type: ignore[arg-type]
        owner=owner,  # type: ignore[arg-type]
        subsystem=subsystem,
        cylinder=cylinder,
        raw_bytes=f"{a:02X} {normalized[3:]}",
    )


# --------------------------------------------------------------------------- ASIL (ISO 26262-3)

_ASIL_BY_SUM = {10: "D", 9: "C", 8: "B", 7: "A"}


class AsilResult(BaseModel):
    """A preliminary ASIL from severity, exposure and controllability."""

    asil: Literal["QM", "A", "B", "C", "D"] = Field(
        description="Automotive Safety Integrity Level (ASIL 等级)."
    )
    rationale: str = Field(description="Rationale (依据): how the class sum maps to the ASIL.")
    preliminary: Literal[True] = Field(
        default=True,
        description="Preliminary result (初步结果), always, until the functional safety "
        "manager confirms the HARA.",
    )


@domain_tool(
    examples=(
        "Hazard rated severity 2, exposure 4, controllability 3: which integrity level?",
        "What ASIL for S1 E2 C3?",
        "评估一下这个危害：S1、E4、C3",  # noqa: RUF001
    )
)
def asil_determine(
    s: Annotated[
        int,
        Field(ge=0, le=3, description="Severity class S0-S3 (严重度; S3 life-threatening)."),
    ],
    e: Annotated[
        int,
        Field(ge=0, le=4, description="Exposure class E0-E4 (暴露度, 暴露概率; E4 high)."),
    ],
    c: Annotated[
        int,
        Field(ge=0, le=3, description="Controllability class C0-C3 (可控性; C3 hard to control)."),
    ],
) -> AsilResult:
    """Preliminary ASIL (汽车安全完整性等级) of a hazardous event in a HARA, per ISO 26262-3 Table 4.

    Any class 0 (S0, E0 or C0) gives QM; otherwise S + E + C = 10 gives ASIL D, 9 C,
    8 B, 7 A, and 6 or less QM. The result is preliminary until the functional safety
    manager confirms it; the agent never lowers an ASIL.
    """
    if 0 in (s, e, c):
        zero = ", ".join(f"{n.upper()}0" for n, v in (("s", s), ("e", e), ("c", c)) if v == 0)
        return AsilResult(asil="QM", rationale=f"{zero}: no ASIL is assigned (QM)")
    total = s + e + c
    asil = _ASIL_BY_SUM.get(total, "QM")
    label = "QM" if asil == "QM" else f"ASIL {asil}"
    return AsilResult(
        asil=asil,  # type: ignore[arg-type]
        rationale=f"S{s}+E{e}+C{c} = {total}: {label} (ISO 26262-3 Table 4)",
    )


# ------------------------------------------------------------- longitudinal criticality


class CriticalityResult(BaseModel):
    """Surrogate safety measures of a car-following situation."""

    ttc_s: float | None = Field(
        description="Time to collision (碰撞时间), gap over closing speed; null when not closing.",
        json_schema_extra=_unit("s"),
    )
    a_req: float = Field(
        description="Required deceleration (所需减速度, DRAC): closing speed² / (2·gap).",
        json_schema_extra=_unit("m/s²"),
    )
    dst: float | None = Field(
        description="Deceleration to safety time (DST): closing speed² / (2·(gap - "
        "v_lead·t_safety)); null when the margin uses up the whole gap.",
        json_schema_extra=_unit("m/s²"),
    )
    verdict: Literal["pass", "critical", "emergency"] = Field(
        description="Verdict (判定): emergency when a_req ≥ 6 m/s² (or no gap is left after "
        "the safety margin); critical when TTC < 1.5 s or a_req > 5 m/s²; else pass."
    )


@domain_tool(
    examples=(
        "Closing on a truck: we do 22 m/s, it does 14 m/s, 18 m ahead. How critical?",
        "Time to collision with 50 m headway, own speed 30 m/s, lead vehicle 28 m/s?",
        "本车速度20米/秒，前车12米/秒，车距16米，碰撞时间多少",  # noqa: RUF001
    )
)
def longitudinal_criticality(
    gap_m: Annotated[
        float,
        Field(
            gt=0,
            le=10000,
            description="Gap (distance, headway) to the lead vehicle in metres (车距, 间距).",
            json_schema_extra=_unit("m"),
        ),
    ],
    v_ego: Annotated[
        float,
        Field(
            ge=0,
            le=150,
            description="Ego vehicle speed in m/s: our own, the subject or following "
            "vehicle (本车速度, 自车).",
            json_schema_extra=_unit("m/s"),
        ),
    ],
    v_lead: Annotated[
        float,
        Field(
            ge=0,
            le=150,
            description="Lead vehicle speed in m/s: the car or truck ahead, in front, "
            "the target or preceding vehicle (前车速度).",
            json_schema_extra=_unit("m/s"),
        ),
    ],
    t_safety: Annotated[
        float,
        Field(
            ge=0,
            le=10,
            description="Safety time margin in seconds for DST (安全时距); 0 by default.",
            json_schema_extra=_unit("s"),
        ),
    ] = 0,
) -> CriticalityResult:
    """Time to collision (TTC, 碰撞时间), required deceleration and verdict when following a lead vehicle.

    TTC = gap / (v_ego - v_lead) when closing, else none. Required deceleration (DRAC)
    a_req = (v_ego - v_lead)² / (2·gap); DST = (v_ego - v_lead)² / (2·(gap - v_lead·t_safety)).
    Verdict: emergency when a_req is at least 6 m/s²; critical when TTC is under 1.5 s or
    a_req exceeds the 5 m/s² reference of UN R157; else pass.
    """
    closing = v_ego - v_lead
    if closing <= 0:
        return CriticalityResult(ttc_s=None, a_req=0.0, dst=0.0, verdict="pass")
    ttc = gap_m / closing
    a_req = closing**2 / (2 * gap_m)
    margin = gap_m - v_lead * t_safety
    dst = closing**2 / (2 * margin) if margin > 0 else None
    if a_req >= 6 or dst is None:
        verdict: Literal["pass", "critical", "emergency"] = "emergency"
    elif ttc < 1.5 or a_req > 5:
        verdict = "critical"
    else:
        verdict = "pass"
    return CriticalityResult(
        ttc_s=round(ttc, 4),
        a_req=round(a_req, 4),
        dst=None if dst is None else round(dst, 4),
        verdict=verdict,
    )


# --------------------------------------------------------------------------- ODD coverage


class OddCoverageResult(BaseModel):
    """Scenario coverage of an operational design domain grid."""

    cells: int = Field(
        description="Valid cells (有效单元) of the full-factorial grid, exclusions removed."
    )
    covered: int = Field(
        description="Covered cells (已覆盖单元), valid ones with an executed scenario."
    )
    pct: float = Field(
        description="Cell coverage (覆盖率), covered over cells in percent.",
        json_schema_extra=_unit("%"),
    )
    uncovered: list[dict[str, str]] = Field(
        description="Uncovered cells (未覆盖单元), valid ones not yet executed."
    )
    pairwise_pct: float = Field(
        description="Pairwise coverage (两两覆盖率) in percent: value pairs of two attributes "
        "in some executed valid cell over those in any valid cell.",
        json_schema_extra=_unit("%"),
    )


def _check_odd(odd: dict[str, list[str]]) -> dict[str, list[str]]:
    if not odd:
        raise ValueError("odd is empty: give at least one attribute with its values")
    for attribute, values in odd.items():
        if not values:
            raise ValueError(f"odd attribute {attribute!r} has no values")
        if len(set(values)) != len(values):
            raise ValueError(f"odd attribute {attribute!r} repeats a value")
    return odd


def _matches(cell: dict[str, str], partial: dict[str, str]) -> bool:
    return all(cell.get(k) == v for k, v in partial.items())


@domain_tool(
    examples=(
        "Scenario coverage: lighting day/dusk, surface dry/wet/snow; we ran day-dry and dusk-wet.",
        "How much of the operational design domain grid have our test drives covered?",
        "设计运行域覆盖率：天气晴/雨，道路高速/城市，已测晴-高速",  # noqa: RUF001
    )
)
def odd_coverage(
    odd: Annotated[
        dict[str, list[str]],
        AfterValidator(_check_odd),
        Field(
            description="Operational design domain (设计运行域, ODD): attribute → its values, "
            "e.g. {weather: [clear, rain], light: [day, night]} (ISO 34503)."
        ),
    ],
    executed: Annotated[
        list[dict[str, str]],
        Field(description="Executed scenarios (已执行场景), each a cell: attribute → value."),
    ],
    excluded: Annotated[
        list[dict[str, str]],
        Field(
            description="Cells or partial cells outside the ODD (排除), e.g. {weather: fog, "
            "road: highway}; they are not counted."
        ),
    ] = [],  # noqa: B006 - pydantic copies defaults
) -> OddCoverageResult:
    """Coverage of an ODD (设计运行域) scenario grid: cells, covered share, uncovered cells, pairwise coverage.

    The grid is the full factorial of the attributes' values (ISO 34503 taxonomy). Cells
    matching an excluded (partial) cell are not valid. Coverage = valid cells executed /
    valid cells; pairwise coverage = value pairs of two attributes present in some executed
    valid cell / value pairs present in any valid cell.
    """
    names = list(odd)
    for index, cell in enumerate([*executed, *excluded]):
        for key, value in cell.items():
            if key not in odd or value not in odd[key]:
                field = "executed" if index < len(executed) else "excluded"
                raise ValueError(f"{field}: {key}={value!r} is not in the odd")
    grid = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*odd.values())]
    valid = [cell for cell in grid if not any(_matches(cell, part) for part in excluded)]
    runs = [run for run in executed if len(run) == len(names)]  # complete cells only
    done = [cell for cell in valid if any(_matches(cell, run) for run in runs)]
    uncovered = [cell for cell in valid if cell not in done]

    def pairs(cells: list[dict[str, str]]) -> set[tuple[str, str, str, str]]:
        return {
            (a, cell[a], b, cell[b]) for cell in cells for a, b in itertools.combinations(names, 2)
        }

    all_pairs = pairs(valid)
    if len(names) < 2:
        pairwise = 100.0 * len(done) / len(valid) if valid else 0.0
    else:
        pairwise = 100.0 * len(pairs(done)) / len(all_pairs) if all_pairs else 0.0
    return OddCoverageResult(
        cells=len(valid),
        covered=len(done),
        pct=round(100.0 * len(done) / len(valid), 2) if valid else 0.0,
        uncovered=uncovered,
        pairwise_pct=round(pairwise, 2),
    )


# --------------------------------------------------------------------------- VIN (ISO 3779)

VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_TRANSLITERATION = {
    **{ch: i + 1 for i, ch in enumerate("ABCDEFGH")},
    **{ch: i + 1 for i, ch in enumerate("JKLMN")},
    "P": 7,
    "R": 9,
    **{ch: i + 2 for i, ch in enumerate("STUVWXYZ")},
    **{str(d): d for d in range(10)},
}
# Position 10: 30-year cycle from 1980 (A) - letters without I, O, Q, U, Z and the digit 0.
_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"


def _check_vin_text(value: str) -> str:
    vin = value.strip().upper().replace(" ", "").replace("-", "")
    if len(vin) != 17:
        raise ValueError(f"vin must have 17 characters, got {len(vin)}")
    banned = sorted({ch for ch in vin if ch in "IOQ"})
    if banned:
        raise ValueError(f"vin may not contain the letters I, O or Q (found {', '.join(banned)})")
    bad = sorted({ch for ch in vin if ch not in _TRANSLITERATION})
    if bad:
        raise ValueError(f"vin holds characters outside A-Z and 0-9: {''.join(bad)}")
    return vin


Vin = Annotated[
    str,
    AfterValidator(_check_vin_text),
    Field(
        min_length=17,
        max_length=20,
        description="Vehicle identification number (VIN, 车架号, 车辆识别代号), 17 characters.",
        json_schema_extra={"pattern": "^[A-HJ-NPR-Za-hj-npr-z0-9]{17}$", "x-identifier": True},
    ),
]


def vin_expected_check(vin: str) -> str:
    total = sum(_TRANSLITERATION[ch] * w for ch, w in zip(vin, VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


class VinResult(BaseModel):
    """A VIN checked per ISO 3779 and 49 CFR 565.15."""

    vin: str = Field(description="Vehicle identification number (车架号), upper case.")
    valid: bool = Field(description="Check digit valid (校验位正确): position 9 equals it.")
    expected_check: str = Field(
        description="Expected check digit (应有校验位), from the other 16 positions."
    )
    wmi: str = Field(
        description="World manufacturer identifier (WMI, 制造厂识别代号), positions 1-3."
    )
    vds: str = Field(description="Vehicle descriptor section (VDS, 车辆说明部分), positions 4-9.")
    vis: str = Field(description="Vehicle indicator section (VIS, 车辆指示部分), positions 10-17.")
    year_code: str = Field(description="Model-year code (年份代码), position 10.")
    model_year_options: list[int] = Field(
        description="Model years (车型年份) the code stands for in its 30-year cycle."
    )


@domain_tool(
    examples=(
        "Is 1M8GDM9AXKP042788 a well-formed chassis number?",
        "Verify the check digit of 5YJ3E1EA7KF317000.",
        "车架号 LVSHCAMB1CE054249 校验位对吗",
    )
)
def vin_check(vin: Vin) -> VinResult:
    """Check whether a VIN (车架号) is valid (是否有效): ISO 3779 check digit (校验位), WMI/VDS/VIS sections and model-year code.

    17 characters, never I, O or Q. Letters transliterate A-H = 1-8, J-N = 1-5, P = 7,
    R = 9, S-Z = 2-9; the weights are 8,7,6,5,4,3,2,10,0,9,8,7,6,5,4,3,2; the weighted sum
    mod 11 (10 written X) must equal position 9 (49 CFR 565.15).
    """
    expected = vin_expected_check(vin)
    code = vin[9]
    first = 1980 + _YEAR_CODES.index(code) if code in _YEAR_CODES else None
    years = [] if first is None else [y for y in (first, first + 30, first + 60) if y <= 2039]
    return VinResult(
        vin=vin,
        valid=vin[8] == expected,
        expected_check=expected,
        wmi=vin[:3],
        vds=vin[3:9],
        vis=vin[9:],
        year_code=code,
        model_year_options=years,
    )


# --------------------------------------------------------------------------- recalls (offline)

_FIXTURE = Path(__file__).with_name("data") / "nhtsa_recalls.json"


class Campaign(BaseModel):
    """One recall campaign, with the field names of NHTSA's recallsByVehicle API."""

    NHTSACampaignNumber: str
    Manufacturer: str
    ReportReceivedDate: str
    Component: str
    Summary: str
    Consequence: str
    Remedy: str
    Notes: str
    ModelYear: str
    Make: str
    Model: str
    parkIt: bool
    parkOutSide: bool
    overTheAirUpdate: bool


class RecallResult(BaseModel):
    """Open recall campaigns for a vehicle from the shipped offline fixture."""

    make: str = Field(description="Make searched (品牌).")
    model: str = Field(description="Model searched (车型).")
    year: int = Field(description="Model year searched (年款).")
    count: int = Field(description="Campaigns found (召回数量).")
    park_it: bool = Field(description="True when any campaign tells owners not to drive.")
    campaigns: list[Campaign] = Field(
        description="Matching campaigns (召回活动), recallsByVehicle fields."
    )
    source: str = Field(description="Data source (数据来源); an empty list is no all-clear.")


@lru_cache(maxsize=1)
def _fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_FIXTURE.read_text(encoding="utf-8"))
    return data


def _vehicle_name(make: str, model: str) -> str:
    return " ".join(f"{make} {model}".casefold().split())


@domain_tool(
    examples=(
        "Any open campaigns on a 2020 Northwind Vela?",
        "Open campaigns on vehicle 3NW4B2C86LR019355?",
        "2021年 Harbor Crest 有没有召回",
    )
)
def recall_lookup(
    vin: Annotated[Vin | None, Field(description="VIN of the vehicle (车架号).")] = None,
    make: Annotated[
        str | None, Field(max_length=40, description="Make (brand name, 品牌), e.g. Northwind.")
    ] = None,
    model: Annotated[
        str | None, Field(max_length=40, description="Model name (车型), e.g. Vela.")
    ] = None,
    year: Annotated[int | None, Field(ge=1981, le=2040, description="Model year (年款).")] = None,
) -> RecallResult:
    """Recall campaigns (召回, 召回活动) for a vehicle by VIN, or by make, model and model year.

    Matches the offline fixture the pack ships (``data/nhtsa_recalls.json``, NHTSA
    recallsByVehicle field names: NHTSACampaignNumber, Component, Summary, Remedy, parkIt)
    on make and model together, case-insensitively, so a two-word make may be split either
    way ("Harbor" + "Crest Marlin").
    A VIN must pass the ISO 3779 check and be registered in the fixture. An empty result
    means the fixture lists nothing; it is never an all-clear.
    """
    data = _fixture()
    if vin is not None:
        checked = vin_check(vin=vin)
        if not checked.valid:
            raise ValueError(f"vin check digit is {vin[8]}, expected {checked.expected_check}")
        vehicle = data["vehicles"].get(checked.vin)
        if vehicle is None:
            raise ValueError("vin is not in the offline fixture; search by make, model and year")
        make, model, year = vehicle["Make"], vehicle["Model"], int(vehicle["ModelYear"])
    if make is None or model is None or year is None:
        raise ValueError("give vin, or make, model and year")
    # "Harbor Crest Marlin" may arrive split either way; the vehicle is make + model.
    wanted = _vehicle_name(make, model)
    found = [
        Campaign(**c)
        for c in data["campaigns"]
        if _vehicle_name(c["Make"], c["Model"]) == wanted and int(c["ModelYear"]) == year
    ]
    if found:
        make, model = found[0].Make, found[0].Model
    return RecallResult(
        make=make.upper(),
        model=model.upper(),
        year=year,
        count=len(found),
        park_it=any(c.parkIt for c in found),
        campaigns=found,
        source=data["source"],
    )


# --------------------------------------------------------------------------- write tools

Component = Literal["brakes", "steering", "airbag", "fuel_system", "acceleration", "other"]


class SafetyCase(BaseModel):
    """A field safety case opened for the product safety committee."""

    reference: str = Field(description="Safety case reference (安全案件编号).")
    status: Literal["opened"] = "opened"
    component: str = Field(description="Suspected component (疑似部件).")
    vehicles: int = Field(description="Vehicles reported (车辆数).")
    do_not_drive: bool = Field(description="True when owners are told to stop driving.")
    advice: str = Field(description="Owner advice (车主建议), what to tell the owner now.")


@domain_tool(
    write=True,
    examples=(
        "Open a safety investigation: two owners report the steering locking at low speed.",
        "Raise a field safety case for the fuel smell complaints on the 2022 fleet.",
        "安全气囊警告灯常亮的投诉，立即上报安全案件",  # noqa: RUF001
    ),
)
def escalate_safety_case(
    component: Annotated[
        Component,
        Field(
            description="Suspected component: brakes (brake pedal, braking, 刹车, 制动), "
            "steering (steering wheel, power steering, 转向, 方向盘), airbag (SRS, restraints, "
            "安全气囊), fuel_system (fuel, fuel leak, fuel smell, petrol, gasoline, diesel, "
            "漏油, 燃油泄漏, 汽油), acceleration (unintended acceleration, sudden acceleration, "
            "accelerated on its own, accelerated by itself, 意外加速, 自己加速), other."
        ),
    ],
    summary: Annotated[
        str,
        Field(
            min_length=1,
            max_length=1000,
            description="What the owner, customer or dealer reported (车主反映, 客户投诉, "
            "经销商/4S店反馈, 故障描述): e.g. a sinking or soft brake pedal when braking "
            "(踩刹车时刹车踏板下沉, 变软), power "
            "steering cutting out or heavy steering (转向失灵, 方向盘沉重), an airbag light "
            "(气囊灯亮), a fuel leak or smell (漏油, 汽油味), the car speeding up by itself "
            "(车辆自己加速), on one car or several of a batch (同一批次).",
        ),
    ],
    vehicles: Annotated[
        int,
        Field(
            ge=1,
            le=100000,
            description="Number of vehicles (cars, owners reporting) affected (车辆数, "
            "几辆车, 几台车).",
        ),
    ] = 1,
    park_it: Annotated[
        bool, Field(description="True for a park-it (do not drive, 停止驾驶) condition.")
    ] = False,
) -> SafetyCase:
    """Open a field safety case (安全案件) for a possible safety defect: brakes, steering, airbag, fuel leak, unintended acceleration.

    The product safety committee decides on a defect and any recall (49 CFR 573.6); the
    agent never concludes there is none. Brake, steering, airbag, fuel-leak and
    acceleration reports and park-it recalls get do-not-drive advice.
    """
    stop = park_it or component != "other"
    advice = (
        "Stop driving the vehicle; have it towed to a dealer for inspection."
        if stop
        else "Book an inspection; report any change in behaviour at once."
    )
    return SafetyCase(
        reference=_reference("SC", component, summary, vehicles),
        component=component,
        vehicles=vehicles,
        do_not_drive=stop,
        advice=advice,
    )


class ReleaseApproval(BaseModel):
    """A software release approved at its gate."""

    reference: str = Field(description="Approval reference.")
    release: str = Field(description="Release identifier.")
    status: Literal["approved"] = "approved"


@domain_tool(
    write=True,
    examples=(
        "Sign off build ADAS-7.4.2 at the series-production gate.",
        "Approve software release BCM-2.9.0 for start of production.",
    ),
)
def approve_release(
    release: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z][A-Za-z0-9]*-[0-9][0-9A-Za-z.\-]*$",
            description="Release identifier (版本号), e.g. ADAS-7.4.2.",
        ),
    ],
    gate: Annotated[
        str, Field(min_length=1, max_length=80, description="Release gate (发布关口).")
    ] = "start of production",
) -> ReleaseApproval:
    """Approve a software release at a release gate (发布审批): functional safety manager only.

    Approval records the decision; it deploys nothing (no OTA campaign, no ECU flashing).
    """
    return ReleaseApproval(reference=_reference("REL", release, gate), release=release)
