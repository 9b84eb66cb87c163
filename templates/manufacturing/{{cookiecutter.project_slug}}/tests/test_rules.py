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


def engine(rules: RuleSet, role: str = "quality_engineer", **context: object) -> ComplianceEngine:
    return ComplianceEngine(rules, role=role, context=context or None)


def test_pack_covers_the_manufacturing_rules(rules: RuleSet) -> None:
    ids = {rule.id for rule in rules}
    assert {"X0", "M-C1", "M-C2", "M-C3", "M-C4-PRICES", "M-C4-DRAWINGS"} <= ids


@pytest.mark.toolkit_rules("M-C1-ROLE")
def test_only_quality_roles_call_write_tools(rules: RuleSet) -> None:
    release = {"lot_id": "5120"}
    for role in ("production_supervisor", "maintenance_technician", "procurement"):
        assert (
            engine(rules, role).check_tool_call("release_lot", release, write=True).action
            == "block"
        )
    assert engine(rules).check_tool_call("release_lot", release, write=True).allowed
    concession = {"lot_id": "4471", "reason": "customer accepted in writing"}
    assert not engine(rules).check_tool_call("record_concession", concession, write=True).allowed
    manager = engine(rules, "quality_manager")
    assert manager.check_tool_call("record_concession", concession, write=True).allowed


@pytest.mark.toolkit_rules("M-C1")
@pytest.mark.parametrize(
    "args",
    [
        {"lot_id": "4471", "aql_result": "reject"},
        {"lot_id": "4471", "cpk": 0.97},
        {"lot_id": "4471", "open_ncr": True},
        # A concession id alone does not do: only the quality manager may use one.
        {"lot_id": "4471", "aql_result": "reject", "concession_id": "CON-7F3A21"},
    ],
)
def test_nonconforming_lots_are_not_released(rules: RuleSet, args: dict[str, object]) -> None:
    decision = engine(rules).check_tool_call("release_lot", args, write=True)
    assert decision.action == "block"
    assert "M-C1" in decision.rule_ids


@pytest.mark.toolkit_rules("M-C1")
def test_a_recorded_concession_lets_the_quality_manager_release(rules: RuleSet) -> None:
    manager = engine(rules, "quality_manager")
    args = {"lot_id": "4471", "aql_result": "reject", "concession_id": "CON-7F3A21"}
    assert manager.check_tool_call("release_lot", args, write=True).allowed
    assert not manager.check_tool_call(
        "release_lot", {"lot_id": "4471", "aql_result": "reject"}, write=True
    ).allowed
    conforming = {"lot_id": "4471", "aql_result": "accept", "cpk": 1.67}
    assert engine(rules).check_tool_call("release_lot", conforming, write=True).allowed


@pytest.mark.toolkit_rules("M-C2")
@pytest.mark.parametrize(
    "text",
    ["To clear the jam, open the guard door.", "Bearing maintenance is due.", "卡料处理如下。"],
)
def test_maintenance_answers_carry_lockout_steps(rules: RuleSet, text: str) -> None:
    decision = engine(rules, "maintenance_technician").check_output(text)
    assert decision.action == "append_disclaimer"
    steps = decision.text or ""
    for word in ("shut", "isolate", "lock and tag", "stored energy", "verify", "authorised"):
        assert word in steps


@pytest.mark.toolkit_rules("M-C2")
def test_other_answers_carry_no_lockout_note(rules: RuleSet) -> None:
    assert engine(rules).check_output("The OEE of the shift was 79.2%.").allowed


@pytest.mark.toolkit_rules("M-C2-UNSAFE")
@pytest.mark.parametrize(
    "text",
    [
        "You can clear the jam without stopping the press.",
        "Bypass the light curtain to reach the die.",
        "可以不停机处理卡料。",
    ],
)
def test_unsafe_work_advice_is_blocked(rules: RuleSet, text: str) -> None:
    decision = engine(rules).check_output(text)
    assert decision.action == "block"
    assert "lockout" in (decision.text or "").lower()


@pytest.mark.toolkit_rules("M-C2-UNSAFE")
def test_a_refusal_to_work_unsafely_passes(rules: RuleSet) -> None:
    assert (
        engine(rules).check_output("Never clear a jam without stopping the press.").action
        != "block"
    )


@pytest.mark.toolkit_rules("M-C3")
@pytest.mark.parametrize("tool", ["delete_readings", "overwrite_record", "purge_spc_data"])
def test_no_tool_deletes_or_overwrites_records(rules: RuleSet, tool: str) -> None:
    for role in ("quality_manager", "quality_engineer"):
        decision = engine(rules, role).check_tool_call(tool, {"record_id": "INS-1001"})
        assert decision.action == "block"
        assert "M-C3" in decision.rule_ids


@pytest.mark.toolkit_rules("M-C3")
def test_corrections_are_appended(rules: RuleSet) -> None:
    args = {"record_id": "INS-20417", "corrected_value": 10.26, "reason": "digits swapped"}
    assert engine(rules).check_tool_call("record_correction", args, write=True).allowed


@pytest.mark.toolkit_rules("M-C4-PRICES")
def test_supplier_prices_only_for_procurement(rules: RuleSet) -> None:
    passages = [
        Passage(text="Unit price 3.84", id="p1", metadata={"classification": "supplier-pricing"})
    ]
    for role in ("quality_engineer", "quality_manager", "program_team"):
        assert not engine(rules, role).filter_retrieved(passages).passages
    assert engine(rules, "procurement").filter_retrieved(passages).passages


@pytest.mark.toolkit_rules("M-C4-DRAWINGS")
def test_customer_drawings_only_for_the_program_team(rules: RuleSet) -> None:
    passages = [
        Passage(text="K7-1140 rev D", id="p1", metadata={"classification": "customer-drawing"})
    ]
    for role in ("quality_engineer", "procurement", "maintenance_technician"):
        assert not engine(rules, role).filter_retrieved(passages).passages
    assert engine(rules, "program_team").filter_retrieved(passages).passages


@pytest.mark.toolkit_rules("X0")
def test_adversarial_certificate_is_quarantined(rules: RuleSet, project_dir: Path) -> None:
    text = (project_dir / "knowledge" / "coa-northbridge-polymers-lot-4471.md").read_text(
        encoding="utf-8"
    )
    checker = engine(rules, "quality_manager")
    decision = checker.filter_retrieved([Passage(text=text, id="coa-4471")])
    assert "X0" in decision.rule_ids
    assert decision.passages and "QUARANTINED" in decision.passages[0].text
    # After a quarantine, write tools are refused for the rest of the session.
    later = checker.check_tool_call("release_lot", {"lot_id": "4471"}, write=True)
    assert not later.allowed


@pytest.mark.toolkit_rules("X0")
def test_trusted_procedures_are_not_quarantined(rules: RuleSet, project_dir: Path) -> None:
    for path in sorted((project_dir / "knowledge").glob("*.md")):
        if path.name.startswith("coa-"):
            continue
        decision = engine(rules).filter_retrieved(
            [Passage(text=path.read_text(encoding="utf-8"), id=path.name)]
        )
        assert "X0" not in decision.rule_ids, path.name
