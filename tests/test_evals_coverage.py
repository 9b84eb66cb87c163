from __future__ import annotations

import pytest

from toolkit.evals import EvalCase, uncovered_rules


def case(case_id: str, *rules: str) -> EvalCase:
    return EvalCase.model_validate(
        {"id": case_id, "request": "r", "expect": {"rules": list(rules)}}
    )


@pytest.mark.parametrize(
    ("rules", "cases", "extra", "expected"),
    [
        (["X0", "F-C1", "F-C2"], [case("a", "F-C1")], [], ["X0", "F-C2"]),
        (["X0", "F-C1"], [case("a", "F-C1"), case("b", "X0")], [], []),
        (["X0", "F-C1"], [case("a", "F-C1")], ["X0"], []),
        (["X0", "X0"], [], [], ["X0"]),
        ([], [case("a", "F-C1")], [], []),
    ],
)
def test_uncovered_rules(
    rules: list[str], cases: list[EvalCase], extra: list[str], expected: list[str]
) -> None:
    assert uncovered_rules(rules, cases, extra) == expected


def test_shipped_rule_packs_are_readable() -> None:
    from pathlib import Path

    from toolkit.evals import load_rules

    templates = Path(__file__).resolve().parent.parent / "templates"
    packs = sorted(templates.glob("*/{{cookiecutter.project_slug}}/compliance/rules.yaml"))
    assert packs
    for pack in packs:
        rules = load_rules(pack)
        assert all(rule.regulation for rule in rules), pack
