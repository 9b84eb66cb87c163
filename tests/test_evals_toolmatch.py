from __future__ import annotations

from typing import Any

import pytest

from toolkit.evals import ExpectedTool, Tolerance
from toolkit.evals._result import ToolCallRecord
from toolkit.evals.toolmatch import match_tools, value_matches


def exp(name: str, **args: Any) -> ExpectedTool:
    return ExpectedTool(name=name, args=args)


def call(name: str, **args: Any) -> ToolCallRecord:
    return ToolCallRecord(name=name, args=args, status="executed")


A1, A2, B = exp("a", x=1), exp("a", x=2), exp("b")
CA1, CA2, CB, CC = call("a", x=1), call("a", x=2), call("b"), call("c")


@pytest.mark.parametrize(
    ("order", "expected", "actual", "ok", "selection"),
    [
        ("strict", [A1, B], [CA1, CB], True, 1.0),
        ("strict", [A1, B], [CB, CA1], False, 0.0),
        ("strict", [A1, B], [CA1, CB, CC], False, 2 / 3),
        ("strict", [A1, B], [CA1], False, 0.5),
        ("any", [A1, B], [CB, CA1], True, 1.0),
        ("any", [A1, B], [CB, CA1, CC], False, 2 / 3),
        ("any", [A1, A2], [CA2, CA1], True, 1.0),
        ("any", [A1, A1], [CA1], False, 0.5),
        ("subset", [A1], [CC, CA1, CB], True, 1.0),
        ("subset", [A1, B], [CA1], False, 0.5),
        ("subset", [A1, A1], [CA1, CA1, CB], True, 1.0),
        ("any", [], [], True, 1.0),
        ("any", [], [CC], False, 0.0),
    ],
)
def test_order_modes_and_selection(
    order: Any,
    expected: list[ExpectedTool],
    actual: list[ToolCallRecord],
    ok: bool,
    selection: float,
) -> None:
    match = match_tools(expected, actual, order)
    assert (not match.problems) is ok, match.problems
    assert match.selection_accuracy == pytest.approx(selection)


def test_duplicates_are_counted_by_position_in_strict_mode() -> None:
    match = match_tools([A1, A2], [CA2, CA1], "strict")
    assert [p[0] for p in match.problems] == ["tools[0].args", "tools[1].args"]
    assert match.args_correct == 0 and match.args_total == 2
    assert match.selection_accuracy == 1.0


def test_any_mode_finds_the_matching_that_satisfies_all() -> None:
    # Greedy pairing would give the loose expectation the only call the strict one accepts.
    loose = ExpectedTool(name="a", args={"x": 1}, tolerance=Tolerance(abs=5))
    strict = exp("a", x=4)
    match = match_tools([loose, strict], [call("a", x=4), call("a", x=2)], "any")
    assert not match.problems
    assert match.args_correct == match.args_total == 2


def test_wrong_arguments_give_evidence() -> None:
    match = match_tools([exp("a", x=1, y="s")], [call("a", x=3, y="s")], "any")
    (label, message, evidence), *_ = match.problems
    assert label == "tools[0].args"
    assert "x" in message
    assert evidence["differences"] == {"x": {"expected": 1, "actual": 3}}
    assert evidence["call"]["args"] == {"x": 3, "y": "s"}
    assert (match.args_correct, match.args_total) == (1, 2)


def test_missing_argument_and_missing_call() -> None:
    match = match_tools([exp("a", x=1), B], [call("a")], "any")
    labels = [p[0] for p in match.problems]
    assert labels == ["tools[0].args", "tools[1]"]
    assert match.problems[0][2]["differences"]["x"]["actual"] == "(missing)"
    assert "was not made" in match.problems[1][1]


def test_expected_status() -> None:
    expected = ExpectedTool(name="raise_limit", status="approval_requested")
    ok = match_tools([expected], [ToolCallRecord(name="raise_limit", status="approval_requested")],
                     "any")  # fmt: skip
    assert not ok.problems
    bad = match_tools([expected], [ToolCallRecord(name="raise_limit", status="executed")], "any")
    assert bad.problems[0][0] == "tools[0].status"
    assert "executed" in bad.problems[0][1]


@pytest.mark.parametrize(
    ("expected", "actual", "tolerance", "ok"),
    [
        (0.06, 0.06, None, True),
        (0.06, 0.0600001, None, False),
        (0.06, 0.0600001, Tolerance(abs=1e-6), True),
        (200000, 200000.0, None, True),
        (200000, 201000, Tolerance(rel=0.01), True),
        (200000, 203000, Tolerance(rel=0.01), False),
        (1, True, None, False),
        (True, 1, None, False),
        (True, True, None, True),
        (None, None, None, True),
        (360, "360", None, False),
        ("other_retail", "other_retail", None, True),
        ("other_retail", "mortgage", None, False),
        ({"a": 1}, {"a": 1, "b": 2}, None, True),
        ({"a": 1}, {"b": 2}, None, False),
        ([1, 2], [1, 2], None, True),
        ([1, 2], [1, 2, 3], None, False),
        ([{"amount": 9500}], [{"amount": 9500.004, "day": 1}], Tolerance(abs=0.01), True),
        (1.0, float("nan"), Tolerance(abs=1), False),
    ],
)
def test_value_matches(expected: Any, actual: Any, tolerance: Tolerance | None, ok: bool) -> None:
    assert value_matches(expected, actual, tolerance) is ok
