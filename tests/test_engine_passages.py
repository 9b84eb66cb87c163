"""Passages with ids are found in the forms agents inline them."""

from __future__ import annotations

import json

import pytest

from toolkit.engine.passages import Passage, find_passages, strip_passages


@pytest.mark.parametrize(
    "text",
    [
        "Context:\n[kb/a.md#1] First passage.\n[kb/b.md#2] Second passage\ncontinues here.",
        '<passage id="kb/a.md#1">First passage.</passage>\n'
        "<document id='kb/b.md#2' title='B'>Second passage\ncontinues here.</document>",
        json.dumps(
            [
                {"id": "kb/a.md#1", "text": "First passage."},
                {"id": "kb/b.md#2", "page_content": "Second passage\ncontinues here."},
            ]
        ),
    ],
)
def test_find_passages(text: str) -> None:
    assert find_passages(text) == [
        Passage("kb/a.md#1", "First passage."),
        Passage("kb/b.md#2", "Second passage\ncontinues here."),
    ]


def test_blank_line_ends_a_passage_and_strip_keeps_the_rest() -> None:
    text = "Question about fees?\n\n[f#1] Fees are 1%.\n\n## time\nnoon"
    assert find_passages(text) == [Passage("f#1", "Fees are 1%.")]
    assert strip_passages(text) == "Question about fees?\n## time\nnoon"


def test_plain_text_has_no_passages() -> None:
    assert find_passages("What is the payment on 200,000 at 6%?") == []
    assert strip_passages(json.dumps([{"id": "a", "text": "b"}])) == ""
