"""The report page's per-case timelines: one inline SVG per case, from its spans.

Rows are spans in start order (indented by nesting): the agent turn, token-service
calls, tool calls, retrieval and compliance decisions, each a bar from its start
to its end on the case's own time axis. Every label goes through `html.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from toolkit.evals.summary import CaseSummary

__all__ = ["render_timelines", "timeline_label"]

_COLOURS = {
    "agent": "#b8bfcc",
    "llm": "#3b6fd8",
    "tool": "#2e9d58",
    "retrieval": "#8a5cc8",
    "decision": "#e0a030",
    "other": "#667",
}
_BLOCKED = "#d0453a"


def timeline_label(row: Mapping[str, Any]) -> str:
    """A row's one-line description: its name and the attributes worth reading."""
    attrs: Mapping[str, Any] = row.get("attrs") or {}
    bits: list[str] = []
    if row.get("kind") == "llm":
        bits.append(
            f"{attrs.get('input_tokens', 0)} in / {attrs.get('cached_tokens', 0)} cached / "
            f"{attrs.get('output_tokens', 0)} out"
        )
        if attrs.get("response_cache_hit"):
            bits.append("response cache")
        if attrs.get("retries"):
            bits.append(f"{attrs['retries']} retries")
    elif row.get("kind") == "decision":
        bits.append(str(attrs.get("action", "")))
        if attrs.get("rule_ids"):
            bits.append(",".join(str(r) for r in attrs["rule_ids"]))
    elif row.get("kind") == "tool" and attrs.get("status"):
        bits.append(str(attrs["status"]))
    elif row.get("kind") == "retrieval" and "results" in attrs:
        bits.append(f"{attrs['results']} passages")
    if attrs.get("error"):
        bits.append(f"error {attrs['error']}")
    return str(row.get("name", "")) + (f" ({'; '.join(bits)})" if bits else "")


def _colour(row: Mapping[str, Any]) -> str:
    attrs: Mapping[str, Any] = row.get("attrs") or {}
    if attrs.get("error") or attrs.get("action") in ("block", "require_approval"):
        return _BLOCKED
    return _COLOURS.get(str(row.get("kind")), _COLOURS["other"])


def _svg(case_id: str, rows: Sequence[Mapping[str, Any]]) -> str:
    width, label_w, row_h = 980, 430, 18
    axis = width - label_w - 70
    end = max((float(r["start_ms"]) + float(r["duration_ms"]) for r in rows), default=0.0)
    scale = axis / end if end > 0 else 0.0
    height = row_h * len(rows) + 28
    parts = [
        f'<svg role="img" aria-label="Timeline of {escape(case_id)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" class="timeline">',
        f'<text x="{label_w}" y="12" font-size="11" class="muted">0 ms</text>'
        f'<text x="{label_w + axis:.0f}" y="12" font-size="11" text-anchor="end">'
        f"{end:.1f} ms</text>",
    ]
    for i, row in enumerate(rows):
        y = 20 + i * row_h
        indent = 10 * int(row.get("depth", 0))
        x = label_w + float(row["start_ms"]) * scale
        bar = max(2.0, float(row["duration_ms"]) * scale)
        label = timeline_label(row)
        parts.append(
            f'<g data-kind="{escape(str(row.get("kind", "")))}"><title>{escape(label)} '
            f"{float(row['start_ms']):.1f} ms +{float(row['duration_ms']):.1f} ms</title>"
            f'<text x="{indent}" y="{y + 12}" font-size="11">{escape(label[:70])}</text>'
            f'<rect x="{x:.1f}" y="{y + 3}" width="{bar:.1f}" height="11" '
            f'fill="{_colour(row)}"/>'
            f'<text x="{x + bar + 4:.1f}" y="{y + 12}" font-size="10">'
            f"{float(row['duration_ms']):.1f} ms</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_timelines(cases: Sequence[CaseSummary]) -> str:
    """The timeline section: the last run of each case, folded per case."""
    blocks = []
    for case in cases:
        last = case.runs[-1] if case.runs else None
        rows = last.timeline if last is not None else []
        if not rows:
            continue
        blocks.append(
            f'<details class="case-timeline" id="timeline-{escape(case.case_id)}"><summary>'
            f"<code>{escape(case.case_id)}</code> <span class='muted'>{len(rows)} spans"
            f"</span></summary><div class='wrap'>{_svg(case.case_id, rows)}</div></details>"
        )
    legend = " · ".join(
        f"<span style='color:{colour}'>■</span> {kind}"
        for kind, colour in _COLOURS.items()
        if kind != "other"
    )
    if not blocks:
        return (
            '<h2 id="timeline">Timeline</h2><p class="muted">No spans were recorded '
            "for this run.</p>"
        )
    return (
        f'<h2 id="timeline">Timeline</h2><p class="muted">Each case\'s last run, from its '
        f"OpenTelemetry spans: {legend} · <span style='color:{_BLOCKED}'>■</span> blocked, "
        f"held or failed</p>{''.join(blocks)}"
    )
