from __future__ import annotations

from typing import Any

import pytest

from toolkit.config import Thresholds
from toolkit.evals import Aggregates, EvalReport, check_thresholds


def report(**agg: Any) -> EvalReport:
    return EvalReport(aggregates=Aggregates(**agg))


@pytest.mark.parametrize(
    ("agg", "thresholds", "expected"),
    [
        ({"pass_rate": 1.0}, Thresholds(), []),
        ({"pass_rate": 0.9}, Thresholds(), ["pass rate 90.0% is below the threshold 100.0%"]),
        ({"pass_rate": 0.9}, Thresholds(pass_rate=0.9), []),
        ({"pass_rate": 1.0, "violations": 2, "violations_by_rule": {"F-C2": 2}},
         Thresholds(max_violations=1), ["2 compliance violation(s) (F-C2 x2) exceed the max"]),
        ({"pass_rate": 1.0, "violations": 1}, Thresholds(max_violations=1), []),
        ({"pass_rate": 1.0, "cache_efficiency": 0.9, "ideal_hit_tokens": 100},
         Thresholds(min_cache_efficiency=0.95), ["cache efficiency 90.0%"]),
        ({"pass_rate": 1.0, "cache_efficiency": 0.96, "ideal_hit_tokens": 100},
         Thresholds(min_cache_efficiency=0.95), []),
        ({"pass_rate": 1.0, "cache_efficiency": None, "ideal_hit_tokens": 0},
         Thresholds(min_cache_efficiency=0.95), []),
        ({"pass_rate": 1.0}, Thresholds(min_cache_efficiency=0.95), ["could not be measured"]),
        ({"pass_rate": 0.0, "violations": 1}, Thresholds(), ["pass rate", "violation"]),
    ],
)  # fmt: skip
def test_check_thresholds(agg: dict[str, Any], thresholds: Thresholds, expected: list[str]) -> None:
    failures = check_thresholds(report(**agg), thresholds)
    assert len(failures) == len(expected)
    for failure, words in zip(failures, expected, strict=True):
        assert words in failure
