"""Automotive domain tools against the worked examples, with independently computed expectations."""

from __future__ import annotations

import itertools

import pydantic
import pytest
from toolkit.tooling import collect_tools

from {{ cookiecutter.package_name }} import tools

TOOL_NAMES = [
    "approve_release",
    "asil_determine",
    "escalate_safety_case",
    "longitudinal_criticality",
    "odd_coverage",
    "parse_dtc",
    "recall_lookup",
    "vin_check",
]


def test_the_module_offers_exactly_the_pack_tools() -> None:
    specs = collect_tools(tools)
    assert sorted(s.name for s in specs) == TOOL_NAMES
    assert {s.name for s in specs if s.write} == {"approve_release", "escalate_safety_case"}
    assert not [s.name for s in specs if "ota" in s.name.split("_") or "flash" in s.name]


# ----------------------------------------------------------------------------- DTC


def _dtc_by_bits(a: int, b: int) -> str:
    # Bit by bit, as J2012 Figure 1 draws it: an independent check of the byte decoder.
    letter = {0b00: "P", 0b01: "C", 0b10: "B", 0b11: "U"}[(a & 0b11000000) >> 6]
    return letter + str((a & 0b00110000) >> 4) + "0123456789ABCDEF"[a & 0x0F] + format(b, "02X")


@pytest.mark.parametrize("raw", ["01 43", "0143", "0x01 0x43"])
def test_raw_bytes_decode_to_p0143(raw: str) -> None:
    result = tools.parse_dtc(code=raw)
    assert result.code == _dtc_by_bits(0x01, 0x43) == "P0143"
    assert (result.system, result.owner) == ("powertrain", "SAE")


def test_p0301_is_a_cylinder_1_misfire() -> None:
    result = tools.parse_dtc(code="P0301")
    assert (result.system, result.owner, result.cylinder) == ("powertrain", "SAE", 1)
    assert "misfire" in result.subsystem


@pytest.mark.parametrize(
    ("code", "system", "owner"),
    [("P1456", "powertrain", "manufacturer"), ("P2135", "powertrain", "SAE"),
     ("P3012", "powertrain", "manufacturer"), ("P3400", "powertrain", "SAE"),
     ("C0035", "chassis", "SAE"), ("B1001", "body", "manufacturer"), ("U0100", "network", "SAE")],
)  # fmt: skip
def test_system_and_owner(code: str, system: str, owner: str) -> None:
    result = tools.parse_dtc(code=code)
    assert (result.system, result.owner) == (system, owner)
    a, b = (int(part, 16) for part in result.raw_bytes.split())
    assert _dtc_by_bits(a, b) == code


@pytest.mark.parametrize("bad", ["X0301", "P4301", "P03G1", "01 4", "hello"])
def test_bad_codes_name_the_field(bad: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="code"):
        tools.parse_dtc(code=bad)


# ----------------------------------------------------------------------------- ASIL

# ISO 26262-3 Table 4 written out row by row (S, E) -> ASIL for C1, C2, C3.
_TABLE4 = {
    (1, 1): ("QM", "QM", "QM"), (1, 2): ("QM", "QM", "QM"), (1, 3): ("QM", "QM", "A"),
    (1, 4): ("QM", "A", "B"), (2, 1): ("QM", "QM", "QM"), (2, 2): ("QM", "QM", "A"),
    (2, 3): ("QM", "A", "B"), (2, 4): ("A", "B", "C"), (3, 1): ("QM", "QM", "A"),
    (3, 2): ("QM", "A", "B"), (3, 3): ("A", "B", "C"), (3, 4): ("B", "C", "D"),
}  # fmt: skip


@pytest.mark.parametrize(("s", "e", "c"), list(itertools.product(range(4), range(5), range(4))))
def test_asil_matches_table_4(s: int, e: int, c: int) -> None:
    expected = "QM" if 0 in (s, e, c) else _TABLE4[(s, e)][c - 1]
    result = tools.asil_determine(s=s, e=e, c=c)
    assert result.asil == expected
    assert result.preliminary is True


def test_worked_asils() -> None:
    assert tools.asil_determine(s=3, e=4, c=3).asil == "D"
    assert tools.asil_determine(s=2, e=3, c=2).asil == "A"


@pytest.mark.parametrize(("field", "args"), [("s", {"s": 4, "e": 1, "c": 1}),
                                             ("e", {"s": 1, "e": 5, "c": 1}),
                                             ("c", {"s": 1, "e": 1, "c": -1})])  # fmt: skip
def test_out_of_range_classes_name_the_field(field: str, args: dict[str, int]) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        tools.asil_determine(**args)
    assert info.value.errors()[0]["loc"] == (field,)


# ----------------------------------------------------------------------------- criticality


def test_worked_car_following_example() -> None:
    result = tools.longitudinal_criticality(gap_m=30, v_ego=25, v_lead=10)
    # Kinematics by hand: 15 m/s closing over 30 m; constant deceleration a to stop closing
    # within the gap satisfies 15² = 2·a·30.
    assert result.ttc_s == pytest.approx(30 / 15)
    assert result.a_req == pytest.approx(15**2 / 60)
    assert result.verdict == "pass"


def test_not_closing_has_no_ttc() -> None:
    result = tools.longitudinal_criticality(gap_m=20, v_ego=10, v_lead=12)
    assert result.ttc_s is None and result.verdict == "pass"


@pytest.mark.parametrize(
    ("gap", "ego", "lead", "verdict"),
    [(40, 30, 5, "emergency"), (10, 18, 10, "critical"), (20, 20, 10, "pass")],
)
def test_verdicts(gap: float, ego: float, lead: float, verdict: str) -> None:
    closing = ego - lead
    a_req = closing**2 / (2 * gap)
    ttc = gap / closing
    expected = "emergency" if a_req >= 6 else "critical" if ttc < 1.5 or a_req > 5 else "pass"
    assert expected == verdict
    assert tools.longitudinal_criticality(gap_m=gap, v_ego=ego, v_lead=lead).verdict == verdict


def test_dst_uses_the_safety_margin() -> None:
    result = tools.longitudinal_criticality(gap_m=50, v_ego=30, v_lead=20, t_safety=1)
    assert result.dst == pytest.approx(10**2 / (2 * (50 - 20)), abs=1e-4)


def test_negative_gap_names_the_field() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        tools.longitudinal_criticality(gap_m=-5, v_ego=20, v_lead=10)
    assert info.value.errors()[0]["loc"] == ("gap_m",)


# ----------------------------------------------------------------------------- ODD

_ODD = {
    "weather": ["clear", "rain", "fog"],
    "light": ["day", "night"],
    "road": ["highway", "urban"],
    "speed": ["0-30", "30-60", "60-90", "90-130"],
}


def test_worked_odd_example() -> None:
    grid = [dict(zip(_ODD, combo, strict=True)) for combo in itertools.product(*_ODD.values())]
    executed = grid[:36]
    result = tools.odd_coverage(odd=_ODD, executed=executed)
    assert (result.cells, result.covered, result.pct) == (48, 36, 75.0)
    assert len(result.uncovered) == 12
    assert all(cell not in executed for cell in result.uncovered)
    # Pairwise by brute force over the 6 attribute pairs.
    names = list(_ODD)
    pairs = {(a, x[a], b, x[b]) for x in grid for a, b in itertools.combinations(names, 2)}
    seen = {(a, x[a], b, x[b]) for x in executed for a, b in itertools.combinations(names, 2)}
    assert result.pairwise_pct == pytest.approx(round(100 * len(seen) / len(pairs), 2))


def test_exclusions_leave_the_denominator() -> None:
    result = tools.odd_coverage(
        odd=_ODD, executed=[], excluded=[{"weather": "fog", "road": "urban"}]
    )
    assert result.cells == 48 - 1 * 2 * 1 * 4


def test_empty_odd_names_the_field() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        tools.odd_coverage(odd={}, executed=[])
    assert info.value.errors()[0]["loc"] == ("odd",)


# ----------------------------------------------------------------------------- VIN

_VALUES = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9,
                                                 2, 3, 4, 5, 6, 7, 8, 9], strict=True))  # fmt: skip


def _check_digit(vin: str) -> str:
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    values = [int(ch) if ch.isdigit() else _VALUES[ch] for ch in vin]
    total = sum(v * w for v, w in zip(values, weights, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def test_worked_vins() -> None:
    good = tools.vin_check(vin="JH2RC3605MM101581")
    bad = tools.vin_check(vin="JH2RC3606MM101581")
    assert _check_digit("JH2RC3605MM101581") == "5"
    assert good.valid and good.expected_check == "5"
    assert not bad.valid and bad.expected_check == "5"
    assert (good.wmi, good.vds, good.vis, good.year_code) == ("JH2", "RC3605", "MM101581", "M")
    assert 2021 in good.model_year_options


@pytest.mark.parametrize("bad", ["JH2RC3605MM10158", "JH2RC36O5MM101581", "IH2RC3605MM101581"])
def test_bad_vins_name_the_field(bad: str) -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        tools.vin_check(vin=bad)
    assert info.value.errors()[0]["loc"] == ("vin",)


# ----------------------------------------------------------------------------- recalls


def test_recall_by_vin_finds_the_park_it_campaign() -> None:
    assert _check_digit("3NW4B2C84LR002716") == "4"
    result = tools.recall_lookup(vin="3NW4B2C84LR002716")
    numbers = {c.NHTSACampaignNumber for c in result.campaigns}
    assert "26V114000" in numbers and result.park_it


def test_recall_by_make_model_year() -> None:
    result = tools.recall_lookup(make="Harbor Crest", model="Marlin", year=2021)
    assert [c.Component for c in result.campaigns] == ["AIR BAGS:DRIVER SIDE:INFLATOR MODULE"]
    assert not result.park_it


@pytest.mark.parametrize(
    ("make", "model"), [("Harbor", "Crest Marlin"), ("harbor  crest", "MARLIN")]
)
def test_a_make_and_model_split_elsewhere_find_the_same_vehicle(make: str, model: str) -> None:
    result = tools.recall_lookup(make=make, model=model, year=2021)
    assert (result.make, result.model, result.count) == ("HARBOR CREST", "MARLIN", 1)


def test_recall_of_an_unlisted_vehicle_is_empty_not_an_all_clear() -> None:
    result = tools.recall_lookup(make="Honda", model="Civic", year=2019)
    assert result.count == 0 and result.campaigns == []
    assert "no all-clear" in result.source


def test_recall_needs_a_vehicle() -> None:
    with pytest.raises(ValueError, match="make, model and year"):
        tools.recall_lookup(make="Harbor Crest")


# ----------------------------------------------------------------------------- write tools


def test_brake_safety_case_advises_not_to_drive() -> None:
    case = tools.escalate_safety_case(component="brakes", summary="sinking pedal", vehicles=3)
    assert case.do_not_drive and case.vehicles == 3 and case.reference.startswith("SC-")


def test_release_approval_deploys_nothing() -> None:
    approval = tools.approve_release(release="ADAS-2604")
    assert approval.status == "approved" and approval.reference.startswith("REL-")
