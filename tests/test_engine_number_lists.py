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


TANK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "readings": {"type": "array", "items": {"type": "number"}, "description": "Levels."},
        "reference": {"type": "number", "description": "Reference value (datum, mark)."},
        "spread": {"type": "number", "description": "Expected spread (sd)."},
    },
    "required": ["readings", "reference", "spread"],
}

BAND: dict[str, Any] = {
    "type": "object",
    "properties": {
        "edge_a": {"type": "number", "description": "Lower band edge in Hz (passband)."},
        "edge_b": {"type": "number", "description": "Upper band edge in Hz (pass-band top)."},
        "gain_db": {"type": "number", "description": "Gain in dB."},
    },
    "required": ["edge_a", "edge_b"],
}


def test_a_label_after_a_linking_word_belongs_to_the_next_number() -> None:
    filled = fill_arguments(TANK, "Check levels 3.1, 3.3, 4.0 with datum 3.0 and spread 0.4")
    assert filled.arguments["reference"] == 3.0
    assert filled.arguments["spread"] == 0.4
    assert filled.arguments["readings"] == [3.1, 3.3, 4.0]


def test_lower_and_upper_descriptions_make_one_range() -> None:
    filled = fill_arguments(BAND, "Gain 12 over a band from 300 to 3400")
    assert filled.arguments["edge_a"] == 300
    assert filled.arguments["edge_b"] == 3400
