from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from toolkit.evals import EvalReport, render_junit, run_suite
from toolkit.evals._result import AgentResult
from toolkit.evals.testing import ScriptedAsk, write_project

CASES = """\
cases:
  - id: masked
    request: "show my card"
    expect: {rules: [F-C1, X0]}
    tags: [pii]
  - id: broken
    request: boom
  - id: leaky
    request: card?
"""
RULES = """\
rules:
  - {id: F-C1, regulation: "PCI DSS v4.0.1 Req 3.4.1", kind: pii, params: {entities: [card_pan]}}
  - {id: X0, regulation: "OWASP LLM01:2025", kind: injection}
"""


def report(tmp_path: Path) -> EvalReport:
    def boom(case: object, number: int) -> AgentResult:
        raise ValueError("bad \x00 byte")

    ask = ScriptedAsk(
        {
            "masked": AgentResult(answer="card 411111******1111 <ok> & done"),
            "broken": boom,
            "leaky": AgentResult(answer="card 4111111111111111"),
        }
    )
    root = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    return run_suite(root, ask=ask, concurrency=1, cache_bound=lambda b: None)


def test_one_testcase_per_case_with_rule_properties(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(report(tmp_path)))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == ["masked", "broken", "leaky"]
    props = [(p.get("name"), p.get("value")) for p in cases["masked"].iter("property")]
    assert ("rule", "F-C1") in props and ("rule", "X0") in props
    assert ("regulation:F-C1", "PCI DSS v4.0.1 Req 3.4.1") in props
    assert ("regulation:X0", "OWASP LLM01:2025") in props
    assert ("tag", "pii") in props
    assert cases["masked"].find("failure") is None
    out = cases["masked"].find("system-out")
    assert out is not None and out.text == "card 411111******1111 <ok> & done"


def test_failure_and_error_elements_carry_the_evidence(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(report(tmp_path)))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["leaky"].find("failure")
    assert failure is not None
    assert "F-C1" in (failure.get("message") or "")
    assert "4111111111111111" in (failure.text or "")
    error = cases["broken"].find("error")
    assert error is not None and "ValueError" in (error.text or "")
    assert "\x00" not in (error.text or "")


def test_suite_properties(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(report(tmp_path)))
    suite = root.find("testsuite")
    assert suite is not None
    props = suite.find("properties")
    assert props is not None
    values = {p.get("name"): p.get("value") for p in props}
    assert values["model"] == "fixture-model" and values["endpoint"] == "local"
