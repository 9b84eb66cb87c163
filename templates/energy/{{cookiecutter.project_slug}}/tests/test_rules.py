# ruff: noqa: RUF001
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


def engine(rules: RuleSet, role: str = "planning_engineer", **context: object) -> ComplianceEngine:
    return ComplianceEngine(rules, role=role, context=context or None)


def test_pack_covers_the_energy_rules(rules: RuleSet) -> None:
    ids = {rule.id for rule in rules}
    assert {"X0", "E-C1", "E-C2", "E-C3", "E-C4"} <= ids


@pytest.mark.toolkit_rules("E-C1-ROLE")
@pytest.mark.parametrize("role", ["planning_engineer", "field_technician", "asset_engineer"])
def test_only_dispatchers_issue_instructions(rules: RuleSet, role: str) -> None:
    args = {"unit": "Unit B", "delta_mw": -20}
    checker = engine(rules, role=role)
    assert checker.check_tool_call("issue_dispatch_instruction", args, write=True).action == "block"
    escalation = {"asset": "T2", "engineer": "protection"}
    assert checker.check_tool_call("escalate_to_engineer", escalation, write=True).allowed
    dispatcher = engine(rules, role="dispatcher")
    assert dispatcher.check_tool_call("issue_dispatch_instruction", args, write=True).allowed


@pytest.mark.toolkit_rules("E-C1")
@pytest.mark.parametrize(
    ("args", "held"),
    [
        ({"unit": "Unit C", "delta_mw": 150}, True),
        ({"unit": "Unit C", "delta_mw": -51}, True),
        ({"unit": "Unit C", "delta_mw": 50}, False),
        ({"unit": "Unit C", "delta_mw": 5, "breaker_operation": True}, True),
        ({"unit": "Unit C"}, True),  # no delta: the predicate cannot be evaluated, fails closed
    ],
)
def test_large_moves_and_breaker_operations_need_confirmation(
    rules: RuleSet, args: dict[str, object], held: bool
) -> None:
    decision = engine(rules, role="dispatcher").check_tool_call(
        "issue_dispatch_instruction", args, write=True
    )
    assert (decision.action == "require_approval") is held
    assert (
        engine(rules, role="dispatcher")
        .check_tool_call("request_human_approval", {"amount": 150}, write=True)
        .allowed
    )


@pytest.mark.toolkit_rules("E-C1-3PC")
def test_instructions_carry_the_three_part_note(rules: RuleSet) -> None:
    decision = engine(rules, role="dispatcher").check_output("Status: queued_for_repeat_back.")
    assert decision.action == "append_disclaimer"
    assert "repeats the instruction back" in (decision.text or "")


@pytest.mark.toolkit_rules("E-C2")
@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("RTU-14 answers at 10.12.4.21.", "10.12.4.21"),
        ("The gateway is 192.168.10.1:20000.", "192.168.10.1"),
        ("Use fe80::1c2:3ff:fe4a:9b1 on the station LAN.", "fe80::1c2:3ff:fe4a:9b1"),
        ("Its prefix is 2001:db8:0:1::17/64.", "2001:db8:0:1::17"),
        ("The outstation is DNP3 address 1024.", "1024"),
        ("Poll RTU 17 first.", "RTU 17"),
        ("Laptop password: Sub7-maint!", "Sub7-maint"),
        ("工程师站密码：abc123", "abc123"),
        ("该站RTU地址：17", "RTU地址：17"),
    ],
)
def test_cyber_information_is_masked(rules: RuleSet, text: str, secret: str) -> None:
    for role in ("planning_engineer", "dispatcher"):
        decision = engine(rules, role=role).check_output(text)
        assert decision.action == "redact"
        assert secret not in (decision.text or "")
    retrieved = engine(rules).filter_retrieved([Passage(text=text, id="p1")])
    assert secret not in retrieved.passages[0].text


@pytest.mark.toolkit_rules("E-C2")
@pytest.mark.parametrize(
    "text",
    ["Meeting at 10:30:15 in room 2.", "IEC 60599 section 9.1, ratio 1.2.", "Unit C is at 250 MW."],
)
def test_ordinary_figures_are_not_masked(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_output(text).action == "allow"


@pytest.mark.toolkit_rules("E-C2-ZONE")
def test_production_control_documents_stay_in_their_zone(rules: RuleSet) -> None:
    passages = [Passage(text="Desk procedure", id="p1", metadata={"zone": "production_control"})]
    assert not engine(rules, role="dispatcher").filter_retrieved(passages).passages
    management = engine(rules, role="dispatcher", session_zone="management")
    assert not management.filter_retrieved(passages).passages
    control = engine(rules, role="planning_engineer", session_zone="production_control")
    assert control.filter_retrieved(passages).passages


@pytest.mark.toolkit_rules("E-C3")
@pytest.mark.parametrize(
    "text",
    [
        "You can bypass the differential relay with a jumper tonight.",
        "Disable the Buchholz trip until morning.",
        "先把差动保护退出保护再送电。",
    ],
)
def test_no_advice_to_bypass_protection(rules: RuleSet, text: str) -> None:
    assert engine(rules, role="field_technician").check_output(text).action == "block"


@pytest.mark.toolkit_rules("E-C3")
def test_forbidding_a_bypass_is_fine(rules: RuleSet) -> None:
    text = "A relay is never bypassed; do not disable the differential protection."
    assert engine(rules, role="field_technician").check_output(text).action == "allow"


@pytest.mark.toolkit_rules("E-C3-STEPS")
def test_field_answers_carry_the_isolation_note(rules: RuleSet) -> None:
    decision = engine(rules, role="field_technician").check_output("Switching at the substation.")
    assert decision.action == "append_disclaimer"
    assert "job briefing" in (decision.text or "")


@pytest.mark.toolkit_rules("E-C4")
@pytest.mark.parametrize("text", ["The unit is safe to continue.", "该主变可以继续运行。"])
def test_no_clearance_without_sign_off(rules: RuleSet, text: str) -> None:
    assert engine(rules, role="asset_engineer").check_output(text).action == "block"


@pytest.mark.toolkit_rules("E-C4-ESC")
@pytest.mark.parametrize(
    ("text", "escalated"),
    [
        ("Status: overload.", True),
        ("IEC code: T3.", True),
        ("Duval zone: DT.", True),
        ("Status: ok; IEC code: T1.", False),
    ],
)
def test_serious_findings_carry_the_escalation_note(
    rules: RuleSet, text: str, escalated: bool
) -> None:
    decision = engine(rules, role="asset_engineer").check_output(text)
    assert ("asset engineer" in (decision.text or "")) is escalated


@pytest.mark.toolkit_rules("X0")
def test_contractor_sop_is_quarantined(rules: RuleSet, project_dir: Path) -> None:
    name = "substation-7-switching-sop-contractor-copy.md"
    text = (project_dir / "knowledge" / name).read_text(encoding="utf-8")
    checker = engine(rules, role="dispatcher")
    decision = checker.filter_retrieved([Passage(text=text, id=name)])
    assert "X0" in decision.rule_ids and "E-C2" in decision.rule_ids
    quarantined = decision.passages[0].text
    assert "QUARANTINED" in quarantined
    assert "10.12.4.21" not in quarantined and "Sub7-maint" not in quarantined
    # After a quarantine no dispatch instruction runs; an escalation to an engineer may.
    later = checker.check_tool_call(
        "issue_dispatch_instruction", {"unit": "Unit C", "delta_mw": 10}, write=True
    )
    assert not later.allowed
    escalation = checker.check_tool_call(
        "escalate_to_engineer", {"asset": "T2", "engineer": "protection"}, write=True
    )
    assert escalation.allowed


@pytest.mark.toolkit_rules("X0")
def test_trusted_procedures_are_not_quarantined(rules: RuleSet, project_dir: Path) -> None:
    for path in sorted((project_dir / "knowledge").glob("*.md")):
        if "contractor" in path.name:
            continue
        decision = engine(rules).filter_retrieved(
            [Passage(text=path.read_text("utf-8"), id=path.name)]
        )
        assert "X0" not in decision.rule_ids, path.name
