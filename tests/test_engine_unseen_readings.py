"""Readings the automotive pack needed, taught generically and tested on other domains.

Each schema here belongs to no pack (support tickets, a hotel, a book shop, a bakery's test
matrix): the engine learns what it reads from the request's schemas alone.
"""

from __future__ import annotations

import pytest
from test_engine_unseen_domains import INCIDENTS, calls, integer, text, tool

from toolkit.engine import LocalEngine


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


# A harness-style tool that requires nothing: it reads an id or a name from almost any text.
SIGN_OFF = tool(
    "request_sign_off",
    "Ask a human to sign off a change; nothing is executed. Examples: Can we lower the "
    "impact class before the review? | Please waive the failed check so it can ship.",
    {
        "action": text("What the human is asked to approve, in the user's words."),
        "subject": text("Who or what the action concerns (an id or name), if known."),
    },
    [],
)


@pytest.mark.parametrize(
    "request_text",
    [
        "Ticket rated P1、S2、3 engineers, how many hours before the review?",
        "Ticket rated P1, S2, 3 engineers; how many hours before the review?",
    ],
)
def test_a_tool_requiring_nothing_is_not_called_for_clauses_that_do_not_ask_for_it(
    engine: LocalEngine, request_text: str
) -> None:
    """ "P1、S2" are classes of one question, not subjects of sign-off requests."""
    actual = calls(engine, [*INCIDENTS, SIGN_OFF], request_text)
    assert actual == [("estimate_resolution", {"priority": 1, "severity": 2, "engineers": 3})], (
        actual
    )


def test_a_tool_requiring_nothing_is_still_called_when_asked_for(engine: LocalEngine) -> None:
    actual = calls(
        engine,
        [*INCIDENTS, SIGN_OFF],
        "Can we lower the impact class of ticket 881234 before the review?",
    )
    assert actual == [("request_sign_off", {"subject": "881234"})], actual


HOTEL = [
    tool(
        "hold_rooms",
        "Hold hotel rooms for a group (为团队预留客房).",
        {
            "rooms": integer("Number of rooms to hold (房间数, 几间房).", minimum=1),
            "nights": integer("Nights of the stay (晚数, 住几晚).", minimum=1),
            "guest": text("Lead guest's name or group name (客人).", minLength=1),
        },
        ["guest"],
    )
]


@pytest.mark.parametrize(
    ("request_text", "rooms"),
    [
        ("为王先生的团队预留两间朝南的客房", 2),
        ("为王先生的团队预留十间客房", 10),
        ("为王先生的团队预留三间靠湖的客房", 3),
    ],
)
def test_a_count_with_a_measure_word_counts_the_noun_it_measures(
    engine: LocalEngine, request_text: str, rooms: int
) -> None:
    [(name, arguments)] = calls(engine, HOTEL, request_text)
    assert name == "hold_rooms"
    assert arguments["rooms"] == rooms


def test_a_batch_is_no_count_of_one(engine: LocalEngine) -> None:
    [(_, arguments)] = calls(engine, HOTEL, "为王先生的团队预留一批客房")
    assert "rooms" not in arguments
