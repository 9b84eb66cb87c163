"""The pack contract check: hold a generated project (or a template) to ``docs/pack-contract.md``.

`check_project` reads the project the way the core does (``toolkit.yaml``, the tools
module named by ``pack.tools``) and the rule pack and cases as plain YAML with line
numbers, then reports every problem at once, each naming the file, the line where known,
the case or rule, and what to fix. Nothing is written.

The scaffold layer imports only the base modules, so rules and cases are read here as data,
not through the compliance and evaluation models; ``toolkit rules check`` and
``toolkit eval`` validate their schemas.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.config import CONFIG_FILE, ProjectConfig
from toolkit.errors import ConfigError, ToolDefinitionError
from toolkit.pack import HARNESS_TOOL_NAMES, load_system_prompt, load_tools
from toolkit.scaffold.catalog import TemplateInfo, template_at
from toolkit.scaffold.overlap import overlap
from toolkit.yamlfile import YamlDocument, read_yaml

__all__ = [
    "MAX_EXAMPLE_OVERLAP",
    "MIN_CHINESE_CASES",
    "README_SECTIONS",
    "Problem",
    "check_pack",
    "check_project",
    "check_template",
]

MAX_EXAMPLE_OVERLAP = 0.5
"""A case request whose word overlap with a tool example reaches this repeats the example."""
MIN_CHINESE_CASES = 3
"""Evaluation cases whose request is in Chinese, at least."""
README_SECTIONS: tuple[str, ...] = (
    "Domain tools",
    "Roles",
    "Knowledge documents",
    "Rule pack",
    "Evaluation cases",
)
"""Headings the generated project's README.md must have (any level, exact text)."""

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_GLOB = re.compile(r"[*?\[]")
_ROLE_LITERAL = re.compile(r"\brole\s*(?:==|!=)\s*['\"]([^'\"]+)['\"]")
_ROLE_LIST = re.compile(r"\brole\s+(?:not\s+)?in\s*\[([^\]]*)\]")
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Problem:
    """One way a project breaks the pack contract.

    Attributes:
        file: The file at fault, relative to the project (or template) folder.
        check: Which check found it, e.g. ``unknown-tool`` or ``repeated-example``.
        message: What is wrong and what to do about it.
        line: The 1-based line, when known.
    """

    file: str
    check: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: [{self.check}] {self.message}"


@dataclass
class _Pack:
    """What the checks compare against: the declared and the actual pieces."""

    tools: set[str] = field(default_factory=set)
    examples: list[tuple[str, str]] = field(default_factory=list)
    roles: set[str] | None = None
    rule_ids: set[str] = field(default_factory=set)


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def add(self, path: Path | str, check: str, message: str, line: int | None = None) -> None:
        file = Path(path)
        shown = file.relative_to(self.root) if file.is_relative_to(self.root) else file
        self.problems.append(Problem(shown.as_posix(), check, message, line))

    def config_problem(self, exc: ConfigError) -> None:
        file = Path(exc.file)
        key = f" (key {exc.key})" if exc.key else ""
        self.add(file, "config", f"{exc.problem}{key}", exc.line)

    def read(self, path: Path) -> YamlDocument | None:
        if not path.is_file():
            self.add(path, "missing-file", "does not exist; toolkit.yaml declares it")
            return None
        try:
            return read_yaml(path)
        except ConfigError as exc:
            self.config_problem(exc)
            return None


def check_project(path: Path | str) -> list[Problem]:
    """Check a generated project against the pack contract.

    Args:
        path: The project folder (holding ``toolkit.yaml``).

    Returns:
        Every problem found, in file order; empty when the project keeps the contract.
    """
    root = Path(path).resolve()
    checker = _Checker(root)
    try:
        config = ProjectConfig.load(root, environ={})
    except ConfigError as exc:
        checker.config_problem(exc)
        return checker.problems
    pack = _check_pack(checker, config)
    rules_doc = checker.read(root / config.compliance.rules)
    cases_doc = checker.read(root / config.evaluation.cases)
    if rules_doc is not None:
        _check_rules(checker, rules_doc, pack)
    if cases_doc is not None:
        _check_cases(checker, cases_doc, pack)
        if rules_doc is not None:
            _check_coverage(checker, rules_doc, cases_doc)
    _check_readme(checker, config, pack)
    return checker.problems


def check_pack(path: Path | str) -> list[Problem]:
    """Check a template folder (holding ``cookiecutter.json``) or a generated project."""
    folder = Path(path)
    if (folder / "cookiecutter.json").is_file():
        return check_template(template_at(folder))
    return check_project(folder)


def check_template(template: TemplateInfo, rendered: Path | None = None) -> list[Problem]:
    """Check a template: its default rendering, its role choices and its shared partials.

    Problems name the template's own files where the rendered file comes from one
    (``{{cookiecutter.project_slug}}/evals/cases.yaml``), else the rendered path.
    Each choice offered for ``default_role`` must be a declared role, and the template
    must reach the shared partials through its ``templates`` folder.

    Args:
        template: The template.
        rendered: The template already rendered with its default answers; None renders
            it into a temporary folder.
    """
    if rendered is None:
        from toolkit.scaffold.answers import resolve_answers
        from toolkit.scaffold.render import render_project

        with tempfile.TemporaryDirectory(prefix="toolkit-pack-check-") as tmp:
            answers = resolve_answers(template, {}, prompter=None)
            project = render_project(template, answers, Path(tmp)).project_dir
            return check_template(template, project)
    try:
        config: ProjectConfig | None = ProjectConfig.load(rendered, environ={})
    except ConfigError:
        config = None
    problems = check_project(rendered)
    if config is not None:
        problems = [_template_origin(p, template, config.project.package) for p in problems]
    choices = template.context.get("default_role")
    if config is not None and config.pack is not None and isinstance(choices, list):
        declared = config.pack.roles
        problems.extend(
            Problem(
                "cookiecutter.json",
                "undeclared-role",
                f"default_role offers {role!r}, which pack.roles in toolkit.yaml does "
                "not declare; declare it or drop the choice",
            )
            for role in choices
            if role not in declared
        )
    if not (template.path / "templates" / "base").is_dir():
        problems.append(
            Problem(
                "templates",
                "shared-partials",
                "the template has no templates/base folder; link it to the shared partials: "
                "ln -s ../_shared templates/<industry>/templates",
            )
        )
    return problems


def _template_origin(problem: Problem, template: TemplateInfo, package: str) -> Problem:
    slug = next((p.name for p in template.path.iterdir() if p.name.startswith("{{")), None)
    if slug is None:
        return problem
    source = Path(slug) / problem.file.replace(package, "{{cookiecutter.package_name}}")
    if (template.path / source).is_file():
        return Problem(source.as_posix(), problem.check, problem.message, problem.line)
    return problem


def _check_pack(checker: _Checker, config: ProjectConfig) -> _Pack:
    root = checker.root
    pack = _Pack(tools=set(HARNESS_TOOL_NAMES))
    if config.pack is None:
        checker.add(
            root / CONFIG_FILE,
            "no-pack",
            "toolkit.yaml has no pack: section; declare the pack (contract: 1, tools, roles, "
            "write_tools, approval_examples) as docs/pack-contract.md shows",
        )
    else:
        pack.roles = set(config.pack.roles)
        pack.examples = [
            (f"{HARNESS_TOOL_NAMES[0]} (pack.approval_examples)", e)
            for e in config.pack.approval_examples
        ]
    try:
        load_system_prompt(root, config)
    except ConfigError as exc:
        checker.config_problem(exc)
    try:
        specs = load_tools(root, config)
    except (ConfigError, ToolDefinitionError) as exc:
        if isinstance(exc, ConfigError):
            checker.config_problem(exc)
        else:
            checker.add(root / config.tools_module, "tools", str(exc))
        return pack
    if not specs:
        checker.add(root / config.tools_module, "tools", "defines no @domain_tool function")
    pack.tools |= {spec.name for spec in specs}
    pack.examples = [(s.name, e) for s in specs for e in s.examples] + pack.examples
    if config.pack is not None:
        actual = {spec.name for spec in specs if spec.write}
        declared = set(config.pack.write_tools)
        if actual != declared:
            parts = []
            if declared - actual:
                parts.append(f"lists {', '.join(sorted(declared - actual))} as write tools "
                             "but the module does not mark them write=True")  # fmt: skip
            if actual - declared:
                parts.append(
                    f"omits the module's write tools {', '.join(sorted(actual - declared))}"
                )
            checker.add(
                root / CONFIG_FILE,
                "write-tools",
                f"pack.write_tools {' and '.join(parts)}; make the two agree",
            )
    return pack


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _rule_roles(rule: dict[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    for role in _strings(rule.get("roles")):
        yield role, ("roles",)
    params = rule.get("params")
    if not isinstance(params, dict):
        return
    for key in ("allow", "deny"):
        if isinstance(params.get(key), dict):
            for role in params[key]:
                yield str(role), ("params", key, str(role))
    for role in _strings(params.get("unmask_roles")):
        yield role, ("params", "unmask_roles")
    for when in _strings(params.get("when")):
        for role in _ROLE_LITERAL.findall(when):
            yield role, ("params", "when")
        for listed in _ROLE_LIST.findall(when):
            for role in _QUOTED.findall(listed):
                yield role, ("params", "when")


def _rule_tools(rule: dict[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    params = rule.get("params")
    if not isinstance(params, dict):
        return
    for key in ("tools", "write_tools", "always_allow", "exempt_tools", "approval_tool"):
        for tool in _strings(params.get(key)):
            yield tool, ("params", key)
    for key in ("allow", "deny"):
        if isinstance(params.get(key), dict):
            for role, tools in params[key].items():
                for tool in _strings(tools):
                    yield tool, ("params", key, str(role))


def _unknown_tool(name: str, pack: _Pack) -> bool:
    if _GLOB.search(name):
        # A glob that matches nothing today guards tools a customer may add later.
        return False
    return name not in pack.tools


def _entries(doc: YamlDocument, key: str) -> list[tuple[int, dict[str, Any]]]:
    items = doc.data.get(key) if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _check_rules(checker: _Checker, doc: YamlDocument, pack: _Pack) -> None:
    for i, rule in _entries(doc, "rules"):
        rule_id = str(rule.get("id", f"#{i + 1}"))
        pack.rule_ids.add(rule_id)
        for tool, loc in _rule_tools(rule):
            if _unknown_tool(tool, pack):
                checker.add(
                    doc.path,
                    "unknown-tool",
                    f"rule {rule_id} names tool {tool!r} ({'.'.join(map(str, loc))}), which "
                    f"the tools module does not define; known: {', '.join(sorted(pack.tools))}",
                    doc.line_for(("rules", i, *loc)),
                )
        if pack.roles is None:
            continue
        for role, loc in _rule_roles(rule):
            if role != "*" and role not in pack.roles:
                checker.add(
                    doc.path,
                    "undeclared-role",
                    f"rule {rule_id} uses role {role!r} ({'.'.join(map(str, loc))}), which "
                    "pack.roles in toolkit.yaml does not declare; declare it or fix the name",
                    doc.line_for(("rules", i, *loc)),
                )


def _check_cases(checker: _Checker, doc: YamlDocument, pack: _Pack) -> None:
    chinese = 0
    for i, case in _entries(doc, "cases"):
        case_id = str(case.get("id", f"#{i + 1}"))
        request = case.get("request")
        request = request if isinstance(request, str) else ""
        chinese += bool(_HAN.search(request))
        role = case.get("role")
        if pack.roles is not None and isinstance(role, str) and role not in pack.roles:
            checker.add(
                doc.path,
                "undeclared-role",
                f"case {case_id} uses role {role!r}, which pack.roles in toolkit.yaml does "
                "not declare; declare it or fix the name",
                doc.line_for(("cases", i, "role")),
            )
        for tool, loc in _case_tools(case):
            if tool not in pack.tools:
                checker.add(
                    doc.path,
                    "unknown-tool",
                    f"case {case_id} expects tool {tool!r}, which the tools module does not "
                    f"define; known: {', '.join(sorted(pack.tools))}",
                    doc.line_for(("cases", i, *loc)),
                )
        expect = case.get("expect")
        for rule in _strings(expect.get("rules") if isinstance(expect, dict) else None):
            if pack.rule_ids and rule not in pack.rule_ids:
                checker.add(
                    doc.path,
                    "unknown-rule",
                    f"case {case_id} lists rule {rule!r}, which the rule pack does not have",
                    doc.line_for(("cases", i, "expect", "rules")),
                )
        for tool, example in pack.examples:
            score = overlap(request, example)
            if score >= MAX_EXAMPLE_OVERLAP:
                checker.add(
                    doc.path,
                    "repeated-example",
                    f"case {case_id} repeats an example of {tool} (word overlap {score:.2f} >= "
                    f"{MAX_EXAMPLE_OVERLAP}): {example!r}; rephrase the case or the example",
                    doc.line_for(("cases", i, "request")),
                )
    if chinese < MIN_CHINESE_CASES:
        checker.add(
            doc.path,
            "chinese-cases",
            f"{chinese} case(s) ask in Chinese; a pack needs at least {MIN_CHINESE_CASES}",
        )


def _case_tools(case: dict[str, Any]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    expect = case.get("expect")
    if not isinstance(expect, dict):
        return
    tools = expect.get("tools")
    for j, call in enumerate(tools if isinstance(tools, list) else []):
        if isinstance(call, dict) and isinstance(call.get("name"), str):
            yield call["name"], ("expect", "tools", j)
    for name in _strings(expect.get("escalation")):
        yield name, ("expect", "escalation")


def _check_coverage(checker: _Checker, rules: YamlDocument, cases: YamlDocument) -> None:
    # A case, not a unit test: the evaluation is what runs the rule end to end on a model.
    covered: set[str] = set()
    for _, case in _entries(cases, "cases"):
        expect = case.get("expect")
        covered.update(_strings(expect.get("rules") if isinstance(expect, dict) else None))
    for i, rule in _entries(rules, "rules"):
        rule_id = str(rule.get("id", f"#{i + 1}"))
        if rule_id not in covered:
            checker.add(
                rules.path,
                "uncovered-rule",
                f"rule {rule_id} is exercised by no evaluation case (expect.rules); add a "
                "case that exercises it (a case's context: sets deployment facts)",
                rules.line_for(("rules", i)),
            )


def _sections(text: str) -> dict[str, tuple[int, str]]:
    """Heading text -> (line, body up to the next heading of the same or a higher level)."""
    lines = text.splitlines()
    headings: list[tuple[int, int, str]] = []
    fenced = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            headings.append((number, len(match.group(1)), match.group(2)))
    found: dict[str, tuple[int, str]] = {}
    for k, (number, level, title) in enumerate(headings):
        end = next((n for n, lv, _ in headings[k + 1 :] if lv <= level), len(lines))
        found.setdefault(title.strip().lower(), (number + 1, "\n".join(lines[number + 1 : end])))
    return found


def _check_readme(checker: _Checker, config: ProjectConfig, pack: _Pack) -> None:
    path = checker.root / "README.md"
    if not path.is_file():
        checker.add(path, "readme-section", "README.md is missing; a customer starts there")
        return
    sections = _sections(path.read_text(encoding="utf-8"))
    knowledge = checker.root / config.retrieval.knowledge_dir
    documents = (
        sorted(p.name for p in knowledge.rglob("*") if p.is_file()) if knowledge.is_dir() else []
    )
    named = {
        "domain tools": ("tool", sorted(pack.tools - set(HARNESS_TOOL_NAMES))),
        "roles": ("role", sorted(pack.roles or ())),
        "knowledge documents": ("document", documents),
        "rule pack": ("rule", sorted(pack.rule_ids)),
    }
    for title in README_SECTIONS:
        section = sections.get(title.lower())
        if section is None or not section[1].strip():
            checker.add(
                path,
                "readme-section",
                f"README.md has no {title!r} section (a heading with that text and a body); "
                "add it: customers look there first",
            )
            continue
        kind, names = named.get(title.lower(), ("", []))
        missing = [
            n for n in names if not re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", section[1])
        ]
        if missing:
            checker.add(
                path,
                "readme-section",
                f"the {title!r} section does not mention the {kind}(s) {', '.join(missing)}",
                section[0],
            )
