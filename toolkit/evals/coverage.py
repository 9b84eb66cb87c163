"""Rule coverage: every rule of the pack must be exercised by a case or a test."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.evals.cases import EvalCase

__all__ = ["uncovered_rules"]


def uncovered_rules(
    rule_ids: Iterable[str], suite: Iterable[EvalCase], extra_covered: Iterable[str] = ()
) -> list[str]:
    """The rule ids no case lists in ``expect.rules`` and no test covers, in pack order.

    Args:
        rule_ids: The rule pack's ids.
        suite: The evaluation cases (an `EvalSuite` or any iterable of cases).
        extra_covered: Rule ids exercised elsewhere, e.g. by tests marked ``toolkit_rules``.
    """
    covered = {rule for case in suite for rule in case.expect.rules} | set(extra_covered)
    return [rule for rule in dict.fromkeys(rule_ids) if rule not in covered]
