"""Pytest plugin: each case of a project's ``evals/cases.yaml`` is a test item.

Registered as the ``toolkit_evals`` entry point (``pytest11``), so it loads in
every pytest run where the toolkit is installed, and stays inert unless the
file it is offered is the cases file a ``toolkit.yaml`` above it declares
(``evaluation.cases``, by default ``evals/cases.yaml``). Then
``pytest evals/`` collects one item per case, named by the case id, plus one
``rule-coverage`` item that fails when a rule of the pack is exercised by no
case and by no test marked ``@pytest.mark.toolkit_rules("F-C1", ...)``.

Cases run through the agent harness (`toolkit.agent.Session`). A conftest may
supply another way to answer a case by implementing the
``pytest_toolkit_eval_ask(config, project_dir)`` hook (first non-None result wins).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The plugin loads in every pytest run where the toolkit is installed: the toolkit's own
# modules (pydantic models, YAML) are imported only once a project's cases are collected.
if TYPE_CHECKING:
    from toolkit.evals.cases import EvalCase, EvalSuite
    from toolkit.evals.rules import RuleInfo
    from toolkit.evals.scoring import CaseResult

AskFn = Callable[["EvalCase"], Any]

__all__ = ["EvalCaseFailed", "EvalFile", "EvalItem", "RuleCoverageItem"]

_CONFIG_FILE = "toolkit.yaml"
_DEFAULT_CASES = "evals/cases.yaml"
_MAX_DEPTH = 4  # how far above a YAML file a project's toolkit.yaml may sit
_ASKERS = pytest.StashKey[dict[Path, AskFn]]()
_COVERED = pytest.StashKey[set[str]]()
COVERAGE_ITEM = "rule-coverage"


class _HookSpecs:
    @pytest.hookspec(firstresult=True)
    def pytest_toolkit_eval_ask(self, config: pytest.Config, project_dir: Path) -> AskFn | None:
        """Return a callable answering one case, or None for the agent harness."""
        return None


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the ``pytest_toolkit_eval_ask`` hook."""
    pluginmanager.add_hookspecs(_HookSpecs)


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``toolkit_rules`` marker."""
    config.addinivalue_line(
        "markers",
        "toolkit_rules(*rule_ids): this test exercises these compliance rules (rule coverage)",
    )
    config.stash[_ASKERS] = {}
    config.stash[_COVERED] = set()


def _project_of(cases_path: Path) -> Path | None:
    """The project whose ``evaluation.cases`` is ``cases_path`` (nearest ``toolkit.yaml`` up)."""
    from toolkit.errors import ConfigError
    from toolkit.yamlfile import load_yaml_text, read_text_capped

    for folder in list(cases_path.parents)[:_MAX_DEPTH]:
        config = folder / _CONFIG_FILE
        if not config.is_file():
            continue
        declared = _DEFAULT_CASES
        try:
            data = load_yaml_text(read_text_capped(config), source=str(config))
        except ConfigError:
            data = None  # the default path still collects, so the error surfaces on load
        evaluation = data.get("evaluation") if isinstance(data, dict) else None
        if isinstance(evaluation, dict) and isinstance(evaluation.get("cases"), str):
            declared = evaluation["cases"]
        return folder if (folder / declared).resolve() == cases_path.resolve() else None
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a toolkit project's evaluation cases (``evaluation.cases``); ignore the rest."""
    # A template folder ({{cookiecutter...}}) holds a toolkit.yaml that is not yet a project.
    if file_path.suffix not in (".yaml", ".yml") or "{{" in str(file_path):
        return None
    if _project_of(file_path) is None:
        return None
    collector: EvalFile = EvalFile.from_parent(parent, path=file_path)
    return collector


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Remember which rules tests declare with the ``toolkit_rules`` marker."""
    covered = config.stash.get(_COVERED, set())
    for item in items:
        for marker in item.iter_markers("toolkit_rules"):
            covered.update(str(rule) for rule in marker.args)
    config.stash[_COVERED] = covered


class EvalCaseFailed(AssertionError):
    """A case did not pass; carries the scored runs."""

    def __init__(self, runs: list[CaseResult]) -> None:
        self.runs = runs
        super().__init__(f"case {runs[0].case_id} failed")


class RuleCoverageFailed(AssertionError):
    """Some rules are exercised by no case and no test."""


class _ProjectFiles:
    def __init__(self, cases_path: Path) -> None:
        from toolkit.evals.rules import load_rules
        from toolkit.evals.runner import _resolve_project

        project_dir = _project_of(cases_path)
        assert project_dir is not None  # collected only when it has one
        self.project_dir = project_dir
        resolved = _resolve_project(self.project_dir)
        self.resolved = resolved
        self.config = resolved.config
        rules_path = self.config.path(self.project_dir, self.config.compliance.rules)
        self.rules: list[RuleInfo] = load_rules(rules_path) if rules_path.is_file() else []


class EvalFile(pytest.File):
    """``evals/cases.yaml``: one item per case, then the rule-coverage item."""

    def collect(self) -> list[pytest.Item]:
        """Load the suite (validation errors become collection errors)."""
        from toolkit.evals.cases import EvalSuite

        files = _ProjectFiles(self.path)
        suite = EvalSuite.load(self.path)
        items: list[pytest.Item] = [
            EvalItem.from_parent(self, name=case.id, case=case, files=files) for case in suite
        ]
        items.append(
            RuleCoverageItem.from_parent(self, name=COVERAGE_ITEM, suite=suite, files=files)
        )
        return items


class EvalItem(pytest.Item):
    """One evaluation case run through the harness (all its repeats must pass)."""

    def __init__(self, *, case: EvalCase, files: _ProjectFiles, **kwargs: Any) -> None:
        from toolkit.evals.rules import citations

        super().__init__(**kwargs)
        self.case = case
        self.files = files
        cites = citations(files.rules)
        for rule in case.expect.rules:
            self.user_properties.append(("rule", rule))
            if cites.get(rule):
                self.user_properties.append((f"regulation:{rule}", cites[rule]))
        for tag in case.tags:
            self.user_properties.append(("tag", tag))

    def _ask(self) -> AskFn:
        askers = self.config.stash[_ASKERS]
        project_dir = self.files.project_dir
        if project_dir not in askers:
            from toolkit.evals.runner import _harness_ask

            hook = self.config.hook.pytest_toolkit_eval_ask
            ask = hook(config=self.config, project_dir=project_dir)
            askers[project_dir] = ask or _harness_ask(self.files.resolved, None, False)
        return askers[project_dir]

    def runtest(self) -> None:
        """Answer the case and score it; raise `EvalCaseFailed` with the evidence on failure."""
        from toolkit.evals.runner import _write_tools
        from toolkit.evals.scoring import error_result, score_case

        ask = self._ask()
        config = self.files.config
        runs: list[CaseResult] = []
        for repeat in range(self.case.repeats or 1):
            try:
                result = ask(self.case)
            except Exception as exc:  # reported with the case, like the runner does
                runs.append(error_result(self.case, exc, repeat=repeat))
                continue
            runs.append(
                score_case(
                    self.case,
                    result,
                    rules=self.files.rules,
                    role=config.compliance.default_role,
                    top_k=config.retrieval.top_k,
                    repeat=repeat,
                    write_tools=_write_tools(self.files.resolved.handle),
                )
            )
        self.user_properties.append(("prompt_tokens", sum(r.prompt_tokens for r in runs)))
        self.user_properties.append(("cached_tokens", sum(r.cached_tokens for r in runs)))
        if not all(run.passed for run in runs):
            raise EvalCaseFailed(runs)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        """List the failed expectations with their evidence instead of a traceback."""
        if isinstance(excinfo.value, EvalCaseFailed):
            lines = [f"evaluation case {self.case.id!r} failed: {self.case.request}"]
            for run in excinfo.value.runs:
                for failure in run.failures:
                    lines.append(f"  repeat {run.repeat} [{failure.expectation}] {failure.message}")
                    evidence = json.dumps(failure.evidence, ensure_ascii=False, default=str)
                    lines.append(f"      evidence: {evidence}")
            from toolkit.compliance.at_rest import mask_text_at_rest

            # pytest writes this into junit.xml and CI logs: nothing there in clear.
            return mask_text_at_rest("\n".join(lines))
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the case lives."""
        return self.path, None, f"eval case {self.case.id}"


class RuleCoverageItem(pytest.Item):
    """Fails when a rule of the pack is exercised by no case and no marked test."""

    def __init__(self, *, suite: EvalSuite, files: _ProjectFiles, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.files = files

    def runtest(self) -> None:
        """Compare the rule pack with the cases' ``rules`` and the ``toolkit_rules`` markers."""
        from toolkit.evals.coverage import uncovered_rules

        covered = self.config.stash.get(_COVERED, set())
        missing = uncovered_rules([r.id for r in self.files.rules], self.suite, covered)
        if missing:
            raise RuleCoverageFailed(
                "rules exercised by no evaluation case and no test: "
                + ", ".join(missing)
                + ". Add a case listing them under expect.rules, or mark a test with "
                "@pytest.mark.toolkit_rules(...)."
            )

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        """Show the uncovered rules only."""
        if isinstance(excinfo.value, RuleCoverageFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the rule pack is checked."""
        return self.path, None, "rule coverage"
