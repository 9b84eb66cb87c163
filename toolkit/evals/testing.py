"""Helpers for testing evaluation without a model: a scripted agent and a minimal project.

`ScriptedAsk` stands in for the agent harness: it answers each case from a
script keyed by case id, so a test decides exactly what the "agent" did and
checks what the evaluation makes of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from toolkit.evals._result import AgentResult
from toolkit.evals.cases import EvalCase

__all__ = ["ScriptedAsk", "write_project"]

Script = AgentResult | Callable[[EvalCase, int], AgentResult]

_TOOLKIT_YAML = """\
project:
  name: {name}
  package: fixture_agent
  industry: finance
token_service:
  endpoints:
    - url: local
      model: {model}
compliance:
  rules: compliance/rules.yaml
  default_role: {role}
evaluation:
  thresholds:
    pass_rate: {pass_rate}
    max_violations: 0
    min_cache_efficiency: 0.0
"""


class ScriptedAsk:
    """Answer each case from a script; counts the calls per case (thread-safe).

    Args:
        script: Case id -> a fixed result, or a function of (case, call number) -> result.
        default: The result for cases not in the script (an empty answer otherwise).
    """

    def __init__(self, script: Mapping[str, Script], default: AgentResult | None = None) -> None:
        self.script = dict(script)
        self.default = default or AgentResult(answer="")
        self.calls: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, case: EvalCase) -> AgentResult:
        """Return the scripted result for ``case``."""
        with self._lock:
            number = self.calls.get(case.id, 0)
            self.calls[case.id] = number + 1
        entry = self.script.get(case.id, self.default)
        return entry(case, number) if callable(entry) else entry


def write_project(
    root: Path,
    *,
    cases: str,
    rules: str | None = None,
    name: str = "fixture-agent",
    model: str = "fixture-model",
    role: str = "customer_service",
    pass_rate: float = 1.0,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write a minimal toolkit project (toolkit.yaml, evals/cases.yaml, rules) under ``root``.

    Returns:
        ``root``.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "toolkit.yaml").write_text(
        _TOOLKIT_YAML.format(name=name, model=model, role=role, pass_rate=pass_rate),
        encoding="utf-8",
    )
    (root / "evals").mkdir(exist_ok=True)
    (root / "evals" / "cases.yaml").write_text(cases, encoding="utf-8")
    if rules is not None:
        (root / "compliance").mkdir(exist_ok=True)
        (root / "compliance" / "rules.yaml").write_text(rules, encoding="utf-8")
    for relative, text in (extra or {}).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(str(text), encoding="utf-8")
    return root
