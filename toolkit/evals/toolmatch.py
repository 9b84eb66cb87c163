"""Match a case's expected tool calls against the calls the agent made.

Order modes:

- ``strict``: the calls are exactly the expected ones, in the same order;
- ``any``: the same calls in any order (nothing missing, nothing extra);
- ``subset``: every expected call was made, in any order; extra calls are allowed.

Duplicates are counted by position: two expected calls of one tool need two
actual calls, each actual call satisfies at most one expected call, and in
``strict`` mode the n-th expected call is compared with the n-th actual one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.evals._result import ToolCallLike
from toolkit.evals.cases import ExpectedTool, OrderMode, Tolerance

__all__ = ["ToolMatch", "match_tools", "value_matches"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_matches(expected: Any, actual: Any, tolerance: Tolerance | None = None) -> bool:
    """Whether ``actual`` satisfies ``expected`` (mappings as subsets, numbers with tolerance)."""
    if isinstance(expected, bool) or expected is None:
        return actual is expected or (isinstance(actual, bool) and actual == expected)
    if _is_number(expected):
        if not _is_number(actual) or not math.isfinite(float(actual)):
            return False
        if tolerance is not None:
            return tolerance.accepts(float(expected), float(actual))
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and value_matches(value, actual[key], tolerance)
            for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(value_matches(e, a, tolerance) for e, a in zip(expected, actual, strict=True))
        )
    return bool(expected == actual)


@dataclass
class ToolMatch:
    """The outcome of matching: pairs, problems with evidence, and the accuracy counts."""

    pairs: list[tuple[int, int | None]] = field(default_factory=list)
    problems: list[tuple[str, str, Any]] = field(default_factory=list)
    names_matched: int = 0
    selection_denominator: int = 0
    args_correct: int = 0
    args_total: int = 0

    @property
    def selection_accuracy(self) -> float:
        """Share of expected (and, outside ``subset``, actual) calls with the right tool."""
        if self.selection_denominator == 0:
            return 1.0
        return self.names_matched / self.selection_denominator


def _call_view(call: ToolCallLike) -> dict[str, Any]:
    return {"name": call.name, "args": dict(call.args), "status": call.status}


def _wrong_args(expected: ExpectedTool, call: ToolCallLike) -> dict[str, Any]:
    wrong: dict[str, Any] = {}
    for key, value in expected.args.items():
        if key not in call.args:
            wrong[key] = {"expected": value, "actual": "(missing)"}
        elif not value_matches(value, call.args[key], expected.tolerance):
            wrong[key] = {"expected": value, "actual": call.args[key]}
    return wrong


def _fully_matches(expected: ExpectedTool, call: ToolCallLike) -> bool:
    return (
        expected.name == call.name
        and not _wrong_args(expected, call)
        and (expected.status is None or expected.status == call.status)
    )


def _max_matching(expected: Sequence[ExpectedTool], actual: Sequence[ToolCallLike]) -> list[int]:
    """Kuhn's augmenting paths: expected index -> actual index (-1 when unmatched)."""
    owner = [-1] * len(actual)

    def augment(i: int, seen: set[int]) -> bool:
        for j, call in enumerate(actual):
            if j not in seen and _fully_matches(expected[i], call):
                seen.add(j)
                if owner[j] == -1 or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    result = [-1] * len(expected)
    for j, i in enumerate(owner):
        if i != -1:
            result[i] = j
    return result


def _compare_pair(match: ToolMatch, index: int, expected: ExpectedTool, call: ToolCallLike) -> None:
    label = f"tools[{index}]"
    wrong = _wrong_args(expected, call)
    match.args_total += len(expected.args)
    match.args_correct += len(expected.args) - len(wrong)
    if wrong:
        match.problems.append(
            (
                f"{label}.args",
                f"{expected.name}: {len(wrong)} argument(s) differ: {', '.join(sorted(wrong))}",
                {"differences": wrong, "call": _call_view(call)},
            )
        )
    if expected.status is not None and expected.status != call.status:
        match.problems.append(
            (
                f"{label}.status",
                f"{expected.name}: expected status {expected.status}, got {call.status}",
                _call_view(call),
            )
        )


def match_tools(
    expected: Sequence[ExpectedTool], actual: Sequence[ToolCallLike], order: OrderMode
) -> ToolMatch:
    """Match expected calls to actual ones under ``order`` and collect the problems."""
    match = ToolMatch()
    names_expected = Counter(tool.name for tool in expected)
    names_actual = Counter(call.name for call in actual)
    match.names_matched = sum((names_expected & names_actual).values())
    match.selection_denominator = (
        len(expected) if order == "subset" else max(len(expected), len(actual))
    )
    trace = [_call_view(call) for call in actual]
    if order == "strict":
        for index, tool in enumerate(expected):
            call = actual[index] if index < len(actual) else None
            match.pairs.append((index, index if call is not None else None))
            if call is None:
                match.problems.append(
                    (f"tools[{index}]", f"expected call {tool.name} was not made", trace)
                )
            elif call.name != tool.name:
                match.problems.append(
                    (
                        f"tools[{index}]",
                        f"call {index + 1} should be {tool.name}, got {call.name}",
                        trace,
                    )
                )
            else:
                _compare_pair(match, index, tool, call)
        extra = actual[len(expected) :]
        if extra:
            match.problems.append(
                (
                    "tools",
                    f"{len(extra)} unexpected extra call(s): "
                    + ", ".join(call.name for call in extra),
                    trace,
                )
            )
        # In strict mode a selected name only counts at its own position.
        match.names_matched = sum(
            1 for tool, call in zip(expected, actual, strict=False) if tool.name == call.name
        )
        return match

    assigned = _max_matching(expected, actual)
    used = {j for j in assigned if j != -1}
    for index, tool in enumerate(expected):
        j = assigned[index]
        if j == -1:
            # Fall back to the first unused call of the same name, to show what was wrong.
            j = next((k for k, c in enumerate(actual) if k not in used and c.name == tool.name), -1)
        if j == -1:
            match.pairs.append((index, None))
            match.problems.append(
                (f"tools[{index}]", f"expected call {tool.name} was not made", trace)
            )
            continue
        used.add(j)
        match.pairs.append((index, j))
        _compare_pair(match, index, tool, actual[j])
    if order == "any":
        extra = [call for k, call in enumerate(actual) if k not in used]
        if extra:
            match.problems.append(
                (
                    "tools",
                    f"{len(extra)} unexpected extra call(s): "
                    + ", ".join(call.name for call in extra),
                    trace,
                )
            )
    return match
