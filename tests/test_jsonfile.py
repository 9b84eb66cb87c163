"""Bounded JSON parsing: deep nesting is a ValueError, never a RecursionError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.errors import ReportError, TraceError
from toolkit.evals.report import load_report
from toolkit.jsonfile import MAX_JSON_DEPTH, JSONLimitError, json_depth, loads_bounded

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("text", [DEEP, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_deep_json_is_a_limit_error(text: str) -> None:
    with pytest.raises(JSONLimitError, match="deeper than"):
        loads_bounded(text)


def test_depth_at_the_limit_parses_and_one_more_does_not() -> None:
    assert json_depth(loads_bounded("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)) == MAX_JSON_DEPTH
    with pytest.raises(JSONLimitError):
        loads_bounded("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))


def test_brackets_inside_strings_do_not_count() -> None:
    assert loads_bounded(json.dumps({"s": "[" * 500})) == {"s": "[" * 500}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)


@given(json_values)
def test_bounded_parse_equals_json_loads_for_ordinary_values(value: object) -> None:
    text = json.dumps(value)
    assert loads_bounded(text) == json.loads(text)
    assert loads_bounded(text.encode("utf-8")) == json.loads(text)


def test_deep_report_is_a_report_error(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(DEEP, encoding="utf-8")
    with pytest.raises(ReportError, match=r"report\.json"):
        load_report(path)


def test_deep_trace_line_is_a_trace_error(tmp_path: Path) -> None:
    from toolkit.engine.analyze import read_trace

    path = tmp_path / "trace.jsonl"
    path.write_text(DEEP + "\n", encoding="utf-8")
    with pytest.raises(TraceError, match=r"trace\.jsonl:1"):
        read_trace(path)


@pytest.mark.parametrize("text", [DEEP, "[1, 2]"])
def test_broken_cookiecutter_json_is_a_template_error(tmp_path: Path, text: str) -> None:
    from toolkit.errors import TemplateError
    from toolkit.scaffold import template_at

    (tmp_path / "cookiecutter.json").write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=r"cookiecutter\.json"):
        template_at(tmp_path)
