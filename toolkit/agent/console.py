"""Print an `AgentResult` for `toolkit ask`."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from toolkit.agent.results import AgentResult

__all__ = ["print_result"]


def print_result(console: Console, result: AgentResult) -> None:
    """Show the answer, tool calls, compliance decisions, retrieval, tokens and cost."""
    console.print("Answer", style="bold")
    console.print(result.answer or "(no answer)", markup=False)
    if result.tool_calls:
        calls = Table(title="Tool calls")
        for column in ("tool", "arguments", "status"):
            calls.add_column(column)
        for call in result.tool_calls:
            args = json.dumps(call.args, ensure_ascii=False, sort_keys=True)
            calls.add_row(call.name, args, call.status)
        console.print(calls)
    fired = [d for d in result.decisions if d.action != "allow"]
    if fired:
        decisions = Table(title="Compliance decisions")
        for column in ("stage", "action", "rules", "detail"):
            decisions.add_column(column)
        for d in fired:
            decisions.add_row(d.stage, d.action, ", ".join(d.rule_ids), d.detail[:120])
        console.print(decisions)
    if result.retrieved_ids:
        console.print("Retrieved: " + ", ".join(result.retrieved_ids), markup=False)
    u = result.usage
    console.print(
        f"Tokens: prompt {u.prompt_tokens} / cached {u.cached_tokens} / completion "
        f"{u.completion_tokens} over {u.calls} call(s); cost {u.cost:.6f}; "
        f"{result.latency_s:.2f} s",
        markup=False,
    )
