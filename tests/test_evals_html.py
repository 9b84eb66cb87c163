from __future__ import annotations

import re
from pathlib import Path

from toolkit.evals import EvalReport, compare_reports, render_html, run_suite
from toolkit.evals._result import AgentResult
from toolkit.evals.testing import ScriptedAsk, write_project

CASES = """\
cases:
  - id: xss
    request: "<script>alert('req')</script>"
    expect:
      tools: [{name: lookup}]
      rules: [F-C2]
    tags: [security]
  - id: fine
    request: hello
"""
RULES = """\
rules:
  - {id: F-C2, regulation: "FINRA <2210>", kind: phrase, params: {phrases: [guaranteed]}}
  - {id: F-C9, regulation: "uncovered", kind: phrase, params: {phrases: [zzz]}}
"""


def report(tmp_path: Path) -> EvalReport:
    ask = ScriptedAsk(
        {
            "xss": AgentResult.model_validate(
                {
                    "answer": '<img src="https://evil.example/x.png"> guaranteed',
                    "tool_calls": [
                        {"name": "lookup", "args": {"q": "<b>bold</b>"}, "status": "executed"}
                    ],
                    "usage": {"prompt_tokens": 300, "cached_tokens": 200, "completion_tokens": 9},
                    "trace": [{"model": "m", "messages": []}],
                }
            ),
            "fine": AgentResult(answer="ok"),
        }
    )
    root = write_project(tmp_path / "p", cases=CASES, rules=RULES)
    return run_suite(root, ask=ask, concurrency=1, cache_bound=lambda b: (250, 300))


def test_self_contained(tmp_path: Path) -> None:
    page = render_html(report(tmp_path))
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page


def test_all_text_is_escaped(tmp_path: Path) -> None:
    page = render_html(report(tmp_path))
    assert "&lt;script&gt;alert(&#x27;req&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=&quot;https://evil.example/x.png&quot;&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "FINRA &lt;2210&gt;" in page


def test_sections_and_charts(tmp_path: Path) -> None:
    page = render_html(report(tmp_path))
    for anchor in ('id="summary"', 'id="charts"', 'id="cases"', 'id="compliance"'):
        assert anchor in page
    assert page.count("<svg") == 3
    assert "Pass rate" in page and "Tokens per case" in page and "Prefix cache" in page
    assert "50.0%" in page  # pass rate: one of two cases
    assert "80.0%" in page  # cache efficiency 200 / 250
    assert "F-C9</code> (uncovered)" in page
    assert "✗" in page  # F-C2 violated by case xss
    assert "lookup(" in page


def test_comparison_section(tmp_path: Path) -> None:
    new = report(tmp_path)
    new.comparison = compare_reports(new, new)
    page = render_html(new)
    assert 'id="comparison"' in page and "no case changed" in page
