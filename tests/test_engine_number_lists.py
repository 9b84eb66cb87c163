"""A number read for one argument never also fills a list; nothing-required schemas are one call.

Non-industry schemas (a weather station and a garden bed), read through the engine's
public argument filler and policy.
"""

from __future__ import annotations

from typing import Any

from toolkit.engine.arguments import fill_arguments
from toolkit.engine.policy import segment_arguments

STATION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "readings": {
            "type": "array",
            "items": {"type": "number"},
            "description": "Temperature readings in time order.",
        },
        "baseline": {"type": "number", "description": "Baseline temperature."},
        "tolerance": {"type": "number", "description": "Allowed deviation (tolerance)."},
    },
    "required": ["readings", "baseline", "tolerance"],
}

BED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "length": {"type": "number", "description": "Bed length in metres."},
        "width": {"type": "number", "description": "Bed width in metres."},
        "depth": {"type": "number", "description": "Soil depth in metres."},
    },
    "required": [],
}


def test_labelled_numbers_stay_out_of_the_list() -> None:
    filled = fill_arguments(STATION, "Baseline 18.0, tolerance 1.5. Readings: 18.2, 19.1, 17.6")
    assert filled.arguments["baseline"] == 18.0
    assert filled.arguments["tolerance"] == 1.5
    assert filled.arguments["readings"] == [18.2, 19.1, 17.6]


def test_a_part_of_one_question_is_not_a_question_of_its_own() -> None:
    text = "Soil for a bed: length 4, width 1.2 and depth 0.3"
    assert segment_arguments(BED, text) is None


def test_repeated_questions_still_split() -> None:
    text = "Bed one is length 4 width 1.2 depth 0.3? And bed two length 2 width 1 depth 0.4?"
    found = segment_arguments(BED, text)
    assert found is not None
    assert len(found) == 2
