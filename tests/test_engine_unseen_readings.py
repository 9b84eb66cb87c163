# ruff: noqa: RUF001
"""Readings the automotive pack needed, taught generically and tested on other domains.

Each schema here belongs to no pack (support tickets, a hotel, a book shop, a bakery's test
matrix): the engine learns what it reads from the request's schemas alone.
"""

from __future__ import annotations

import pytest
from test_engine_unseen_domains import INCIDENTS, calls, integer, text, tool

from toolkit.engine import LocalEngine
from toolkit.engine.assumptions import find_assumptions
from toolkit.engine.spans import enum_choice


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


EDITIONS = [
    tool(
        "find_editions",
        "Find editions of a book series in stock (查找在售版本).",
        {
            "publisher": text("Publisher name (出版社), e.g. Faber."),
            "series": text("Series name (丛书), e.g. Poetry."),
            "year": integer("Publication year (出版年份).", minimum=1450, maximum=2100),
        },
        [],
    )
]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Any 1998 Penguin Classics editions in stock?",
         {"publisher": "Penguin", "series": "Classics", "year": 1998}),
        ("Penguin Modern Poets 1995: editions in stock?",
         {"publisher": "Penguin", "series": "Modern Poets", "year": 1995}),
        ("Do you stock the Faber Poetry editions?", {"publisher": "Faber", "series": "Poetry"}),
        ("查找 1998年 Penguin Classics 在售版本", 
         {"publisher": "Penguin", "series": "Classics", "year": 1998}),
    ],
)  # fmt: skip
def test_names_and_a_calendar_year_are_read_from_prose(
    engine: LocalEngine, request_text: str, expected: dict[str, object]
) -> None:
    """Capitalised words fill the properties described as names, in schema order; a
    four-digit number fills a year whose bounds make it a calendar year (not 1998 years)."""
    assert calls(engine, EDITIONS, request_text) == [("find_editions", expected)]


def test_a_sentence_opening_word_is_no_name(engine: LocalEngine) -> None:
    [(_, arguments)] = calls(engine, EDITIONS, "Show editions in stock from 1998, please.")
    assert "publisher" not in arguments and "series" not in arguments


CELL = {"type": "object", "additionalProperties": {"type": "string"}}
CELL_LIST = {"type": "array", "items": CELL, "default": []}
MATRIX = [
    tool(
        "matrix_coverage",
        "Coverage of a baking test matrix (烘焙试验矩阵): which factor combinations were baked.",
        {
            "factors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Factors (因素) and their levels, e.g. {flour: [rye, spelt]}.",
            },
            "baked": {"type": "array", "items": CELL, "description": "Combinations baked."},
            "skipped": {"type": "array", "items": CELL, "description": "Combinations skipped."},
        },
        ["factors", "baked"],
    )
]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Matrix coverage: flour rye, spelt or wheat; oven gas or wood; baked rye/gas and "
         "spelt/wood",
         {"factors": {"flour": ["rye", "spelt", "wheat"], "oven": ["gas", "wood"]},
          "baked": [{"flour": "rye", "oven": "gas"}, {"flour": "spelt", "oven": "wood"}]}),
        ("Test matrix. Flour: rye, spelt, wheat. Oven: gas, wood. Hydration: 60 or 70\n"
         "Baked rye + gas + 60 and wheat + wood + 70; skipped: spelt/gas",
         {"factors": {"Flour": ["rye", "spelt", "wheat"], "Oven": ["gas", "wood"],
                      "Hydration": ["60", "70"]},
          "baked": [{"Flour": "rye", "Oven": "gas", "Hydration": "60"},
                    {"Flour": "wheat", "Oven": "wood", "Hydration": "70"}],
          "skipped": [{"Flour": "spelt", "Oven": "gas"}]}),
        ("烘焙试验矩阵覆盖率：面粉：黑麦、斯佩尔特；烤炉：燃气、木柴；已烤：黑麦/燃气、斯佩尔特/木柴",
         {"factors": {"面粉": ["黑麦", "斯佩尔特"], "烤炉": ["燃气", "木柴"]},
          "baked": [{"面粉": "黑麦", "烤炉": "燃气"}, {"面粉": "斯佩尔特", "烤炉": "木柴"}]}),
    ],
)  # fmt: skip
def test_a_factor_grid_and_its_cells_are_read_from_prose(
    engine: LocalEngine, request_text: str, expected: dict[str, object]
) -> None:
    """Each part names a factor then its levels; cells join levels with / or +, each
    level naming its factor; a part's opening word ("skipped") picks the list."""
    assert calls(engine, MATRIX, request_text) == [("matrix_coverage", expected)]


def test_a_single_factor_is_no_grid(engine: LocalEngine) -> None:
    message = engine.complete(
        {"model": "local", "tools": MATRIX,
         "messages": [{"role": "user", "content": "Matrix coverage: flour rye or spelt?"}]}
    )["choices"][0]["message"]  # fmt: skip
    assert not message.get("tool_calls")


DEPLOY = [
    tool(
        "promote_build",
        "Promote a web build to the production channel.",
        {"build": text("Build identifier, e.g. web-2.14.3.", pattern=r"^[a-z]+-\d+(?:\.\d+)*$")},
        ["build"],
    )
]


@pytest.mark.parametrize(
    ("request_text", "build"),
    [
        ("Promote build web-2.14.3.", "web-2.14.3"),
        ("把 web-10.0.1 推到生产渠道 promote", "web-10.0.1"),
    ],
)
def test_a_pattern_reads_a_dotted_version_whole(
    engine: LocalEngine, request_text: str, build: str
) -> None:
    assert calls(engine, DEPLOY, request_text) == [("promote_build", {"build": build})]


def test_a_value_passed_in_another_argument_is_no_unread_mention() -> None:
    """ "wood" is a level of the grid the call passes, not an unread mention of the
    optional list whose description happens to use it as an example."""
    parameters = MATRIX[0]["function"]["parameters"]
    parameters = {
        **parameters,
        "properties": {
            **parameters["properties"],
            "skipped": {**CELL_LIST, "description": "Combinations skipped, e.g. {oven: wood}."},
        },
    }
    question = "Matrix coverage: flour rye or spelt; oven gas or wood; baked rye/gas and spelt/wood"
    arguments = {
        "factors": {"flour": ["rye", "spelt"], "oven": ["gas", "wood"]},
        "baked": [{"flour": "rye", "oven": "gas"}, {"flour": "spelt", "oven": "wood"}],
    }
    assert find_assumptions(question, "matrix_coverage", "", parameters, arguments) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Which storage do we use for the returns?", None),
        ("Move the pallet to cold storage.", "cold_storage"),
        ("Cold goods storage is full.", "cold_storage"),
    ],
)
def test_one_word_of_a_two_word_enum_value_names_no_value(text: str, expected: str | None) -> None:
    """ "storage" alone names neither cold_storage nor dry_storage (a loose word made a
    write tool's enum look given: "What system does ...?" picked fuel_system)."""
    values = ["cold_storage", "dry_storage", "other"]
    assert enum_choice(text, values) == expected


FAULTS = [
    tool(
        "report_fault",
        "Report a building fault to facilities.",
        {
            "area": {
                "type": "string",
                "enum": ["kitchen", "lobby", "other"],
                "description": "Where the fault is.",
            },
            "summary": text("What the guests or staff reported.", minLength=1),
            "guests": integer("Number of guests reporting.", minimum=1),
        },
        ["area", "summary"],
    )
]


@pytest.mark.parametrize(
    ("request_text", "areas"),
    [
        (
            "Report a fault: two guests say the lobby lights flicker and the lobby door sticks",
            ["lobby"],
        ),
        (
            "Report a fault: the kitchen sink leaks, and the lobby door sticks.",
            ["kitchen", "lobby"],
        ),
    ],
)
def test_clauses_differing_only_in_free_text_are_one_call(
    engine: LocalEngine, request_text: str, areas: list[str]
) -> None:
    """A part is its own call only when it says something the others do not; a free-text
    summary standing in for each part does not make two reports of one."""
    actual = calls(engine, FAULTS, request_text)
    assert [arguments["area"] for _, arguments in actual] == areas, actual


BAKERY = [
    tool(
        "shift_output",
        "Loaves per hour of a bakery shift (班次产量).",
        {
            "loaves": integer("Loaves produced (生产数量, 面包数).", minimum=0),
            "hours": {
                "type": "number",
                "description": "Shift length in hours (小时).",
                "minimum": 0,
            },
        },
        ["loaves", "hours"],
    )
]


def test_a_measure_word_counts_only_the_noun_right_after_it(engine: LocalEngine) -> None:
    """In 一个班计划生产8小时 the 1 counts shifts, not the production named later."""
    actual = calls(engine, BAKERY, "一个班计划生产8小时，共生产面包300个，班次产量是多少？")
    assert actual == [("shift_output", {"loaves": 300, "hours": 8})], actual
