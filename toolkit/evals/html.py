"""``report.html``: one self-contained page (inline CSS and SVG, no script, no network).

Every piece of case or answer text goes through `html.escape`, so an answer
containing markup is shown, never interpreted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from html import escape

from toolkit.evals.summary import CaseSummary, EvalReport
from toolkit.evals.timeline_html import render_timelines

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #dde}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f4f8}.pass{color:#0a7a32;font-weight:600}
.fail{color:#b3261e;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12px ui-monospace,monospace;white-space:pre-wrap;word-break:break-word}
.matrix td{text-align:center}.wrap{overflow-x:auto}.charts{display:flex;flex-wrap:wrap;gap:24px}
details summary{cursor:pointer}.muted{color:#667}
"""
_GREEN, _RED, _BLUE, _GREY, _AMBER = "#2e9d58", "#d0453a", "#3b6fd8", "#b8bfcc", "#e0a030"


def _fmt(value: float | int | None, kind: str = "num") -> str:
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "s":
        return f"{value:.3f} s"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}"


def _bars(title: str, rows: Sequence[tuple[str, float]], *, unit: str = "pct") -> str:
    """A horizontal bar chart of values in [0, 1] (pct) or absolute values."""
    width, label_w, row_h = 460, 150, 22
    top = max((value for _, value in rows), default=0.0)
    scale = 1.0 if unit == "pct" else (top or 1.0)
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{row_h * len(rows) + 30}" viewBox="0 0 {width} {row_h * len(rows) + 30}">',
        f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 24 + i * row_h
        length = max(0.0, min(1.0, value / scale)) * (width - label_w - 70)
        colour = _GREEN if unit != "pct" or value >= 0.999 else (_AMBER if value >= 0.8 else _RED)
        shown = _fmt(value, "pct") if unit == "pct" else _fmt(value)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{escape(label[:22])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="14" fill="{colour}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{y + 14}" font-size="12">{shown}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _token_chart(cases: Sequence[CaseSummary]) -> str:
    """Stacked bars per case: cached prompt, uncached prompt, completion tokens."""
    width, label_w, row_h = 560, 150, 20
    top = max((c.prompt_tokens + c.completion_tokens for c in cases), default=0) or 1
    span = width - label_w - 80
    height = row_h * len(cases) + 50
    parts = [
        f'<svg role="img" aria-label="Tokens per case" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        '<text x="0" y="14" font-size="13" font-weight="600">Tokens per case</text>',
    ]
    legend = (("cached", _GREEN), ("uncached prompt", _BLUE), ("completion", _GREY))
    for i, (name, colour) in enumerate(legend):
        parts.append(
            f'<rect x="{label_w + i * 130}" y="22" width="10" height="10" fill="{colour}"/>'
            f'<text x="{label_w + i * 130 + 14}" y="31" font-size="11">{name}</text>'
        )
    for i, case in enumerate(cases):
        y = 40 + i * row_h
        x = float(label_w)
        parts.append(f'<text x="0" y="{y + 13}" font-size="11">{escape(case.case_id[:22])}</text>')
        segments = (
            (case.cached_tokens, _GREEN),
            (case.prompt_tokens - case.cached_tokens, _BLUE),
            (case.completion_tokens, _GREY),
        )
        for amount, colour in segments:
            length = max(0, amount) / top * span
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{length:.1f}" height="12" fill="{colour}"/>'
            )
            x += length
        total = case.prompt_tokens + case.completion_tokens
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" font-size="11">{total:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _summary(report: EvalReport) -> str:
    agg, info = report.aggregates, report.info
    rows = [
        ("Project", escape(info.project)),
        ("Model / endpoint", f"{escape(info.model)} @ {escape(info.endpoint)}"),
        (
            "Template / toolkit",
            f"{escape(info.template)} {escape(info.template_version)} / "
            f"{escape(info.toolkit_version)}",
        ),
        ("Started / duration", f"{escape(info.started_at)} / {_fmt(info.duration_s, 's')}"),
        ("Cases / runs", f"{agg.cases} / {agg.runs} (k={agg.k})"),
        ("Pass rate", _fmt(agg.pass_rate, "pct")),
        ("pass^k", _fmt(agg.pass_hat_k, "pct")),
        ("Tool selection / argument accuracy", f"{_fmt(agg.tool_selection_accuracy, 'pct')} / "
         f"{_fmt(agg.argument_accuracy, 'pct')}"),
        ("Retrieval hit@k / MRR", f"{_fmt(agg.retrieval_hit_at_k, 'pct')} / {_fmt(agg.mrr)}"),
        ("Refusal / escalation correctness", f"{_fmt(agg.refusal_correctness, 'pct')} / "
         f"{_fmt(agg.escalation_correctness, 'pct')}"),
        ("Violations", f"{agg.violations} " + escape(json.dumps(agg.violations_by_rule))),
        ("Assumptions stated (cases)", f"{agg.assumptions} ({agg.cases_with_assumptions})"),
        ("Tokens prompt / cached / completion",
         f"{agg.prompt_tokens:,} / {agg.cached_tokens:,} / {agg.completion_tokens:,}"),
        ("Cache hit rate achieved / ideal", f"{_fmt(agg.cache_hit_rate, 'pct')} / "
         f"{_fmt(agg.ideal_cache_hit_rate, 'pct')}"),
        ("Cache efficiency (achieved / ideal)", _fmt(agg.cache_efficiency, "pct")),
        ("Cost", f"{agg.cost:.6f}"),
        ("Calls with unknown usage", str(agg.unknown_usage_calls)),
        ("Latency p50 / p95", f"{_fmt(agg.latency_p50_s, 's')} / {_fmt(agg.latency_p95_s, 's')}"),
        ("Uncovered rules", escape(", ".join(report.uncovered_rules)) or "none"),
    ]  # fmt: skip
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<h2 id="summary">Summary</h2><table class="summary">{body}</table>'


def _assumed(count: int) -> str:
    """A note under the result when the answer stated assumptions."""
    if not count:
        return ""
    return f"<div class='muted'>{count} assumption{'s' if count > 1 else ''} stated</div>"


def _case_rows(cases: Sequence[CaseSummary]) -> str:
    rows = []
    for case in cases:
        status = (
            '<span class="pass">pass</span>' if case.passed else '<span class="fail">fail</span>'
        )
        last = case.runs[-1] if case.runs else None
        calls = "<br>".join(
            f"<code>{escape(c['name'])}({escape(json.dumps(c['args'], ensure_ascii=False))})"
            f" [{escape(str(c['status']))}]</code>"
            for c in (last.tool_calls if last else [])
        )
        failures = "".join(
            f"<li>repeat {run.repeat} [{escape(f.expectation)}] {escape(f.message)}"
            f"<details><summary>evidence</summary><pre>"
            f"{escape(json.dumps(f.evidence, ensure_ascii=False, indent=1, default=str))}"
            f"</pre></details></li>"
            for run in case.runs
            for f in run.failures
        )
        answer = escape(last.answer) if last else ""
        rows.append(
            f"<tr><td><code>{escape(case.case_id)}</code><div class='muted'>"
            f"{escape(case.request)}</div></td><td>{status} {_fmt(case.pass_fraction, 'pct')}"
            f"{_assumed(case.assumptions)}</td>"
            f"<td>{calls or '<span class=muted>none</span>'}</td>"
            f"<td>{'<ul>' + failures + '</ul>' if failures else ''}"
            f"<details><summary>answer</summary><pre>{answer}</pre></details></td>"
            f"<td class='num'>{case.prompt_tokens:,} / {case.cached_tokens:,} / "
            f"{case.completion_tokens:,}</td>"
            f"<td class='num'>{_fmt(last.latency_s if last else None, 's')}</td></tr>"
        )
    head = (
        "<tr><th>case</th><th>result</th><th>tool trace (last run)</th><th>failures</th>"
        "<th>tokens p / c / out</th><th>latency</th></tr>"
    )
    return f'<h2 id="cases">Cases</h2><div class="wrap"><table>{head}{"".join(rows)}</table></div>'


def _matrix(report: EvalReport) -> str:
    rule_ids = list(
        dict.fromkeys(
            [*report.citations, *(r for c in report.cases for r in c.rules)]
            + [v.rule_id for c in report.cases for run in c.runs for v in run.violations]
        )
    )
    if not rule_ids:
        return '<h2 id="compliance">Compliance by rule</h2><p class="muted">No rules.</p>'
    marks: dict[tuple[str, str], str] = defaultdict(str)
    for case in report.cases:
        for rule in case.rules:
            marks[(rule, case.case_id)] = "○"
        for run in case.runs:
            for rule in run.rules_fired:
                if marks[(rule, case.case_id)] != "✗":
                    marks[(rule, case.case_id)] = "●"
            for violation in run.violations:
                marks[(violation.rule_id, case.case_id)] = "✗"
    head = "".join(f"<th><code>{escape(c.case_id)}</code></th>" for c in report.cases)
    rows = []
    for rule in rule_ids:
        count = report.aggregates.violations_by_rule.get(rule, 0)
        cells = "".join(
            f"<td class='{'fail' if marks[(rule, c.case_id)] == '✗' else ''}'>"
            f"{marks[(rule, c.case_id)]}</td>"
            for c in report.cases
        )
        uncovered = " (uncovered)" if rule in report.uncovered_rules else ""
        rows.append(
            f"<tr><th><code>{escape(rule)}</code>{uncovered}<div class='muted'>"
            f"{escape(report.citations.get(rule, ''))}</div></th>"
            f"<td class='num'>{count}</td>{cells}</tr>"
        )
    legend = "<p class='muted'>○ exercised by the case · ● the rule fired · ✗ violated</p>"
    return (
        f'<h2 id="compliance">Compliance by rule</h2>{legend}<div class="wrap">'
        f'<table class="matrix"><tr><th>rule</th><th>violations</th>{head}</tr>'
        f"{''.join(rows)}</table></div>"
    )


def _comparison(report: EvalReport) -> str:
    if not report.comparison:
        return ""
    rows = "".join(
        f"<tr><th>{escape(name)}</th><td class='num'>{escape(str(m.get('old')))}</td>"
        f"<td class='num'>{escape(str(m.get('new')))}</td>"
        f"<td class='num'>{escape(str(m.get('delta')))}</td></tr>"
        for name, m in report.comparison.get("metrics", {}).items()
    )
    changed = "".join(
        f"<li><code>{escape(c['case_id'])}</code>: {escape(c['change'])}</li>"
        for c in report.comparison.get("cases", [])
        if c.get("change") != "same"
    )
    return (
        '<h2 id="comparison">Compared with the baseline</h2>'
        f"<table><tr><th>metric</th><th>old</th><th>new</th><th>delta</th></tr>{rows}</table>"
        f"<ul>{changed or '<li>no case changed</li>'}</ul>"
    )


def render_html(report: EvalReport) -> str:
    """The report page as one string of HTML."""
    agg = report.aggregates
    tags: dict[str, list[bool]] = defaultdict(list)
    for case in report.cases:
        for tag in case.tags or ["(untagged)"]:
            tags[tag].append(case.passed)
    pass_rows = [("all runs", agg.pass_rate)] + [
        (tag, sum(v) / len(v)) for tag, v in sorted(tags.items())
    ]
    cache_rows = [
        ("achieved hit rate", agg.cache_hit_rate or 0.0),
        ("ideal hit rate", agg.ideal_cache_hit_rate or 0.0),
        ("efficiency", agg.cache_efficiency or 0.0),
    ]
    charts = (
        '<h2 id="charts">Charts</h2><div class="charts">'
        + _bars("Pass rate", pass_rows)
        + _bars("Prefix cache", cache_rows)
        + _token_chart(report.cases)
        + "</div>"
    )
    title = escape(f"Evaluation report: {report.info.project}")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body><h1>{title}</h1>"
        f"{_summary(report)}{_comparison(report)}{charts}{_case_rows(report.cases)}"
        f"{render_timelines(report.cases)}{_matrix(report)}</body></html>\n"
    )
