"""The compliance rule pack, checked stage by stage with the toolkit's engine.

Each test names the rules it exercises, so rule coverage counts it.
"""

from pathlib import Path

import pytest

from toolkit.compliance import ComplianceEngine, RuleSet
from toolkit.compliance.types import Passage


@pytest.fixture(scope="module")
def rules(project_dir: Path) -> RuleSet:
    return RuleSet.load(project_dir / "compliance" / "rules.yaml")


def engine(rules: RuleSet, role: str = "service_advisor", **context: object) -> ComplianceEngine:
    return ComplianceEngine(rules, role=role, context=context or None)


def test_pack_covers_the_automotive_rules(rules: RuleSet) -> None:
    ids = {rule.id for rule in rules}
    assert {"X0", "A-C1", "A-C2", "A-C3", "A-C4", "A-C5"} <= ids


@pytest.mark.toolkit_rules("A-C1")
@pytest.mark.parametrize(
    "text",
    ["There is no defect in the brakes.", "The car is safe to drive.", "这不是缺陷。没有缺陷。"],
)
def test_no_defect_claims_are_blocked(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_output(text).action == "block"


@pytest.mark.toolkit_rules("A-C1-ESC")
def test_brake_answers_carry_the_safety_case_note(rules: RuleSet) -> None:
    decision = engine(rules).check_output("The owner reports a sinking brake pedal.")
    assert decision.action == "append_disclaimer"
    assert "do not drive" in (decision.text or "").lower() or "not drive" in (decision.text or "")


@pytest.mark.toolkit_rules("A-C2")
def test_only_the_safety_manager_approves_releases(rules: RuleSet) -> None:
    args = {"release": "ADAS-2604"}
    for role in ("service_advisor", "quality_engineer", "adas_engineer", "warranty_analyst"):
        decision = engine(rules, role=role).check_tool_call("approve_release", args, write=True)
        assert decision.action == "block", role
        case = {"component": "brakes", "summary": "sinking pedal"}
        assert (
            engine(rules, role=role)
            .check_tool_call("escalate_safety_case", case, write=True)
            .allowed
        )
    manager = engine(rules, role="functional_safety_manager")
    assert manager.check_tool_call("approve_release", args, write=True).allowed


@pytest.mark.toolkit_rules("A-C2-LABEL")
def test_asil_answers_are_preliminary(rules: RuleSet) -> None:
    decision = engine(rules, role="adas_engineer").check_output("The hazard is ASIL D.")
    assert "Preliminary" in (decision.text or "")


@pytest.mark.toolkit_rules("A-C3")
@pytest.mark.parametrize("tool", ["ota_push_campaign", "flash_ecu", "trigger_ota", "reprogram_bcm"])
def test_no_role_may_trigger_ota_or_flashing(rules: RuleSet, tool: str) -> None:
    manager = engine(rules, role="functional_safety_manager")
    assert manager.check_tool_call(tool, {"target": "fleet"}, write=True).action == "block"


@pytest.mark.toolkit_rules("A-C4")
def test_vin_serials_are_masked_for_engineers(rules: RuleSet) -> None:
    text = "Vehicle JH2RC3605MM101581 was inspected."
    masked = engine(rules, role="adas_engineer").check_output(text).text or ""
    assert "JH2RC3605MM" in masked and "101581" not in masked
    advisor = engine(rules).check_output(text)
    assert "JH2RC3605MM101581" in (advisor.text or text)


@pytest.mark.toolkit_rules("A-C4-SENSITIVE")
@pytest.mark.parametrize(
    "text",
    [
        "Send me the owner's name and GPS trail.",
        "Export the cabin camera footage of car 12.",
        "把这辆车的行驶轨迹导出给我",
    ],
)
def test_sensitive_data_requests_are_refused(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_input(text).action == "block"


@pytest.mark.toolkit_rules("A-C4-SENSITIVE")
def test_ordinary_requests_pass_the_input_check(rules: RuleSet) -> None:
    assert engine(rules).check_input("Check the GPS antenna DTC U0184.").action == "allow"


@pytest.mark.toolkit_rules("A-C4-REGION")
def test_prc_vehicles_only_on_in_region_endpoints(rules: RuleSet) -> None:
    args = {"vin": "LFV2A21K6G3046271"}
    abroad = engine(rules, vehicle_region="cn", endpoint_region="eu")
    assert abroad.check_tool_call("vin_check", args).action == "block"
    home = engine(rules, vehicle_region="cn", endpoint_region="cn")
    assert home.check_tool_call("vin_check", args).allowed


@pytest.mark.toolkit_rules("A-C5")
@pytest.mark.parametrize(
    "text", ["Just clear the airbag light and hand the car back.", "You can disable AEB for now."]
)
def test_no_advice_to_clear_safety_warnings(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_output(text).action == "block"


@pytest.mark.toolkit_rules("A-C5")
def test_saying_never_to_clear_them_is_fine(rules: RuleSet) -> None:
    text = "Never clear the airbag light without replacing the clock spring."
    assert engine(rules).check_output(text).action != "block"


@pytest.mark.toolkit_rules("X0")
def test_the_injected_tsb_is_quarantined(rules: RuleSet, project_dir: Path) -> None:
    text = (project_dir / "knowledge" / "tsb-aeb-regression-note.md").read_text(encoding="utf-8")
    checker = engine(rules, role="functional_safety_manager")
    decision = checker.filter_retrieved([Passage(id="tsb-aeb-regression-note.md", text=text)])
    assert "X0" in decision.rule_ids
    assert decision.passages and "QUARANTINED" in decision.passages[0].text
    # After a quarantine, no release is approved for the rest of the session.
    later = checker.check_tool_call("approve_release", {"release": "ADAS-2604"}, write=True)
    assert not later.allowed
