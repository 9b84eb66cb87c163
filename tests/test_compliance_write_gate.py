"""The write gate: a write runs only on the user's own request, with arguments they gave."""

from __future__ import annotations

from typing import Any

import pytest

from toolkit.compliance import ComplianceEngine, RuleSet
from toolkit.compliance.write_gate import (
    ToolIntent,
    TurnEvidence,
    WriteGate,
    numbers_in,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "account": {"type": "string", "description": "Account number."},
        "limit": {"type": "number", "description": "New credit limit (信用额度)."},
        "channel": {"type": "string", "enum": ["branch", "online"], "description": "Channel."},
        "note": {"type": "string", "default": "limit change", "description": "Note."},
        "notify": {"type": "boolean", "description": "Tell the customer."},
    },
}
DESCRIPTION = (
    "Submit a new credit limit for an account.\n"
    "Examples: Lower the card limit on account 9988776655 to 3,500. "
    "| 把账户87654321的信用额度调整为1.5万"
)
GATE = WriteGate(
    [ToolIntent.from_schema("set_credit_limit", DESCRIPTION, SCHEMA)],
    exempt_tools=["request_human_approval"],
)


@pytest.mark.parametrize(
    ("turn", "args"),
    [
        (
            "Set the credit limit of account 12345678 to 20,000.",
            {"account": "12345678", "limit": 20000},
        ),
        ("Lower account 12345678 to 12k please", {"account": "12345678", "limit": 12000.0}),
        ("把账户12345678的信用额度调整为1.5万", {"account": "12345678", "limit": 15000}),
        (
            "Raise the limit on 12345678 to 5000, online, and tell them",
            {"account": "12345678", "limit": 5000, "channel": "online", "notify": True},
        ),
        (
            "Set limit for 12345678 to 900",
            {"account": "12345678", "limit": 900, "note": "limit change"},
        ),
    ],
)
def test_a_write_the_user_asked_for_passes(turn: str, args: dict[str, Any]) -> None:
    assert GATE.check("set_credit_limit", args, TurnEvidence(turn)).allowed


def test_a_question_is_not_a_request_for_a_write() -> None:
    verdict = GATE.check(
        "set_credit_limit",
        {"account": "12345678", "limit": 50000},
        TurnEvidence("What do the partner notes say about this request?"),
    )
    assert not verdict.allowed and verdict.label == "unrequested_write"


@pytest.mark.parametrize(
    ("args", "path"),
    [
        ({"account": "40011234", "limit": 20000}, "account"),  # the account is the document's
        ({"account": "12345678", "limit": 50000}, "limit"),  # the figure is the document's
        ({"account": "12345678", "limit": 20000, "note": "per partner memo"}, "note"),
        ({"account": "12345678", "limit": 20000, "extra": [{"to": "40011234"}]}, "extra[0].to"),
    ],
)
def test_arguments_must_trace_to_the_user_or_a_tool(args: dict[str, Any], path: str) -> None:
    verdict = GATE.check(
        "set_credit_limit",
        args,
        TurnEvidence("Set the credit limit of account 12345678 to 20,000."),
    )
    assert not verdict.allowed and verdict.label == "untraced_argument"
    assert repr(path) in verdict.detail
    assert "40011234" not in verdict.detail  # the detail never quotes a value


def test_tool_results_of_the_turn_are_a_source() -> None:
    evidence = TurnEvidence(
        "Set the credit limit of the account on file to 20,000.",
        tool_results=['{"account": "12345678", "status": "active"}'],
    )
    assert GATE.check("set_credit_limit", {"account": "12345678", "limit": 20000}, evidence).allowed


def test_the_approval_tool_is_exempt() -> None:
    verdict = GATE.check("request_human_approval", {"action": "anything"}, TurnEvidence("hi"))
    assert verdict.allowed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20,000 and 12k", {20000.0, 12.0, 12000.0}),
        ("6% over 30 years", {6.0, 0.06, 30.0}),
        ("1.5万", {1.5, 15000.0}),
        ("three cars, 两辆车, 十二台", {3.0, 2.0, 12.0}),
        ("version 0.25066147886538653", {0.25066147886538653}),
    ],
)
def test_numbers_in(text: str, expected: set[float]) -> None:
    assert expected <= numbers_in(text)


RULES = RuleSet.from_dict(
    {
        "rules": [
            {
                "id": "R1",
                "title": "Writes by role",
                "regulation": "internal",
                "stages": ["tool_call"],
                "kind": "tool_permission",
                "params": {"allow": {"officer": ["set_credit_limit"]}},
                "action": "block",
                "severity": "high",
            }
        ]
    }
)


def test_the_engine_holds_an_unrequested_write_for_approval_and_audits_it() -> None:
    engine = ComplianceEngine(
        RULES, role="officer", write_tools=["set_credit_limit"], write_gate=GATE
    )
    decision = engine.check_tool_call(
        "set_credit_limit",
        {"account": "40011234", "limit": 50000},
        evidence=TurnEvidence("What is my credit limit policy?"),
    )
    assert decision.action == "require_approval" and not decision.allowed
    assert decision.rule_ids == ("WRITE-GATE",)
    assert decision.extra["approval_request"]["tool"] == "set_credit_limit"
    assert decision.message is not None and "NOT executed" in decision.message
    asked = engine.check_tool_call(
        "set_credit_limit",
        {"account": "40011234", "limit": 50000},
        evidence=TurnEvidence("Set the credit limit of account 40011234 to 50,000."),
    )
    assert asked.allowed


def test_the_role_rule_still_decides_and_a_block_wins() -> None:
    engine = ComplianceEngine(
        RULES, role="teller", write_tools=["set_credit_limit"], write_gate=GATE
    )
    decision = engine.check_tool_call(
        "set_credit_limit",
        {"account": "40011234", "limit": 50000},
        evidence=TurnEvidence("hello"),
    )
    assert decision.action == "block"
    assert set(decision.rule_ids) == {"R1", "WRITE-GATE"}


def test_without_evidence_the_gate_fails_closed() -> None:
    engine = ComplianceEngine(
        RULES, role="officer", write_tools=["set_credit_limit"], write_gate=GATE
    )
    decision = engine.check_tool_call("set_credit_limit", {"account": "1", "limit": 1})
    assert decision.action == "require_approval"
    assert engine.check_tool_call("request_human_approval", {"action": "x"}, write=True).allowed
