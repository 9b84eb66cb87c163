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


def engine(rules: RuleSet, role: str = "customer_service", **context: object) -> ComplianceEngine:
    return ComplianceEngine(rules, role=role, context=context or None)


def test_pack_covers_the_finance_rules(rules: RuleSet) -> None:
    ids = {rule.id for rule in rules}
    assert {"X0", "F-C1", "F-C2", "F-C3", "F-C4", "F-C5", "F-C6"} <= ids


@pytest.mark.toolkit_rules("F-C1")
def test_card_and_iban_are_masked_in_answers(rules: RuleSet) -> None:
    decision = engine(rules).check_output(
        "Card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32 are on file; "
        "order 1234567812345678 shipped."
    )
    assert decision.action == "redact"
    assert "411111******1111" in (decision.text or "")
    assert "4111 1111 1111 1111" not in (decision.text or "")
    assert "1234567812345678" in (decision.text or "")  # not a valid card: left alone


@pytest.mark.toolkit_rules("F-C1")
def test_fraud_investigators_may_see_full_numbers(rules: RuleSet) -> None:
    decision = engine(rules, role="fraud_investigator").check_output("Card 4111111111111111.")
    assert "4111111111111111" in (decision.text or "")


@pytest.mark.toolkit_rules("F-C2")
@pytest.mark.parametrize(
    "text",
    [
        "Fund A is guaranteed to grow.",
        "This product is risk-free.",
        "You will earn 8% a year.",
        "该产品保本保收益。",
    ],
)
def test_promised_returns_are_blocked(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_output(text).action == "block"


@pytest.mark.toolkit_rules("F-C2")
def test_labelled_hypotheticals_pass(rules: RuleSet) -> None:
    text = "In a hypothetical illustration, a 5% return would give 1,050 after a year."
    assert engine(rules).check_output(text).action == "allow"


@pytest.mark.toolkit_rules("F-C3-ROLE")
def test_write_tools_need_an_authorised_role(rules: RuleSet) -> None:
    args = {"account": "12345678", "limit": 20000}
    assert engine(rules).check_tool_call("set_credit_limit", args, write=True).action == "block"
    officer = engine(rules, role="credit_officer")
    assert officer.check_tool_call("set_credit_limit", args, write=True).allowed


@pytest.mark.toolkit_rules("F-C3")
def test_large_limits_go_to_a_human(rules: RuleSet) -> None:
    officer = engine(rules, role="credit_officer")
    decision = officer.check_tool_call(
        "set_credit_limit", {"account": "12345678", "limit": 80000}, write=True
    )
    assert decision.action == "require_approval"
    assert officer.check_tool_call("request_human_approval", {"amount": 80000}, write=True).allowed


@pytest.mark.toolkit_rules("F-C3-BOUNDS")
def test_limits_stay_in_product_range(rules: RuleSet) -> None:
    officer = engine(rules, role="credit_officer")
    decision = officer.check_tool_call(
        "set_credit_limit", {"account": "12345678", "limit": 5_000_000}, write=True
    )
    assert decision.action == "block"


@pytest.mark.toolkit_rules("F-C4")
def test_declines_list_at_most_four_reasons(rules: RuleSet) -> None:
    reasons = "\n".join(f"{i}. reason {i}" for i in range(1, 6))
    text = f"Your application was declined. Principal reasons:\n{reasons}"
    assert engine(rules).check_output(text).action == "block"
    four = "\n".join(f"{i}. reason {i}" for i in range(1, 5))
    assert engine(rules).check_output(f"Declined. Principal reasons:\n{four}").allowed


@pytest.mark.toolkit_rules("F-C5")
@pytest.mark.parametrize(
    "text",
    [
        "Keep each deposit under $10,000 to avoid the report.",
        "A suspicious activity report was filed on your account.",
    ],
)
def test_no_tipping_off_or_evasion_advice(rules: RuleSet, text: str) -> None:
    assert engine(rules).check_output(text).action == "block"


@pytest.mark.toolkit_rules("F-C5-ESC")
def test_aml_alerts_carry_the_routing_note(rules: RuleSet) -> None:
    decision = engine(rules, role="bsa_officer").check_output("A structuring alert was raised.")
    assert decision.action == "append_disclaimer"
    assert "BSA officer" in (decision.text or "")


@pytest.mark.toolkit_rules("F-C6")
def test_prc_records_stay_in_region(rules: RuleSet) -> None:
    passages = [Passage(text="Customer profile", id="p1", metadata={"region": "cn"})]
    abroad = engine(rules, endpoint_region="eu").filter_retrieved(passages)
    assert not abroad.passages
    home = engine(rules, endpoint_region="cn").filter_retrieved(passages)
    assert home.passages


@pytest.mark.toolkit_rules("F-C6-TOOLS")
def test_prc_customer_data_only_to_in_region_endpoints(rules: RuleSet) -> None:
    iban = {"value": "GB82 WEST 1234 5698 7654 32", "kind": "iban"}
    abroad = engine(rules, customer_region="cn", endpoint_region="us")
    assert abroad.check_tool_call("validate_account_id", iban).action == "block"
    # No personal data in an amortization: it may run anywhere.
    loan = {"principal": 1000, "annual_rate": 0.05, "n_months": 12}
    assert abroad.check_tool_call("loan_amortization", loan).allowed
    home = engine(rules, customer_region="cn", endpoint_region="cn")
    assert home.check_tool_call("validate_account_id", iban).allowed
    elsewhere = engine(rules, customer_region="eu", endpoint_region="us")
    assert elsewhere.check_tool_call("validate_account_id", iban).allowed


@pytest.mark.toolkit_rules("X0")
def test_adversarial_factsheet_is_quarantined(rules: RuleSet, project_dir: Path) -> None:
    text = (project_dir / "knowledge" / "fund-a-factsheet.md").read_text(encoding="utf-8")
    checker = engine(rules, role="credit_officer")
    decision = checker.filter_retrieved([Passage(text=text, id="fund-a")])
    assert "X0" in decision.rule_ids
    assert decision.passages and "QUARANTINED" in decision.passages[0].text
    # After a quarantine, write tools are refused for the rest of the session.
    later = checker.check_tool_call("set_credit_limit", {"account": "12345678", "limit": 100})
    assert not later.allowed


@pytest.mark.toolkit_rules("X0")
def test_trusted_policies_are_not_quarantined(rules: RuleSet, project_dir: Path) -> None:
    for name in ("retail-credit-underwriting-policy.md", "irb-parameter-card.md"):
        text = (project_dir / "knowledge" / name).read_text(encoding="utf-8")
        decision = engine(rules).filter_retrieved([Passage(text=text, id=name)])
        assert "X0" not in decision.rule_ids, name


@pytest.mark.toolkit_rules("F-C5-ACCESS")
def test_monitoring_playbook_is_for_the_bsa_officer(rules: RuleSet) -> None:
    passages = [Passage(text="Red flags", id="p1", metadata={"classification": "aml-internal"})]
    assert not engine(rules).filter_retrieved(passages).passages
    assert engine(rules, role="bsa_officer").filter_retrieved(passages).passages
