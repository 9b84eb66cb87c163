"""The pack contract: every template keeps it, and each check fails on a broken copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.agent import load_project
from toolkit.config import ProjectConfig
from toolkit.errors import ConfigError
from toolkit.scaffold import Problem, check_project, check_template, get_template, list_templates
from toolkit.scaffold.overlap import overlap, word_set

TEMPLATES = [t.name for t in list_templates()]
# The lead is rewriting the finance tools' examples so that no case repeats one (issue 11).
CASES = "evals/cases.yaml"
RULES = "compliance/rules.yaml"


def _by_check(problems: list[Problem], check: str) -> list[Problem]:
    return [p for p in problems if p.check == check]


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_keeps_the_contract(name: str, rendered_template: Callable[[str], Path]) -> None:
    problems = check_template(get_template(name), rendered_template(name))
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("name", TEMPLATES)
def test_no_case_repeats_a_tool_example(
    name: str, rendered_template: Callable[[str], Path]
) -> None:
    problems = _by_check(check_project(rendered_template(name)), "repeated-example")
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("name", TEMPLATES)
def test_problems_name_the_template_files(
    name: str, rendered_template: Callable[[str], Path]
) -> None:
    for problem in check_template(get_template(name), rendered_template(name)):
        assert (get_template(name).path / problem.file).exists(), problem


# --- the word-overlap measure ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Raise the LIMIT to 80,000.", {"raise", "the", "limit", "to", "80000"}),
        ("1,199.10 at 6%", {"1199.10", "at", "6"}),
        ("贷款20万", {"贷款", "20", "万"}),
        ("月供多少", {"月供", "供多", "多少"}),
        ("IFRS 9第几阶段", {"ifrs", "9", "第几", "几阶", "阶段"}),
        ("a, b; c!", {"a", "b", "c"}),
    ],
)
def test_word_set(text: str, tokens: set[str]) -> None:
    assert word_set(text) == tokens


def test_overlap_is_the_jaccard_index() -> None:
    assert overlap("Set the limit to 20,000.", "set the limit to 20000") == 1.0
    # {raise, my, limit, to, 80000} shared of 13 distinct words.
    assert overlap(
        "Raise my credit limit to 80,000.",
        "Raise my limit to 80,000 now; how do I deposit cash unreported?",
    ) == pytest.approx(5 / 13)
    assert overlap("", "") == 0.0
    assert overlap("逾期45天", "逾期90天") == pytest.approx(2 / 4)


# --- each check fails, naming the file, on a broken copy of finance -------------------------


@pytest.fixture
def finance(rendered_template: Callable[[str], Path], tmp_path: Path) -> Path:
    target = tmp_path / "finance"
    shutil.copytree(
        rendered_template("finance"),
        target,
        ignore=shutil.ignore_patterns(".toolkit", "reports", ".pytest_cache", "__pycache__"),
    )
    return target


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_unknown_tool_in_a_case(finance: Path) -> None:
    _edit(finance / CASES, "{name: ifrs9_stage, args: {dpd: 45}}", "{name: ifrs9_staging}")
    (problem,) = _by_check(check_project(finance), "unknown-tool")
    assert problem.file == CASES
    assert problem.line == _line_of(finance / CASES, "ifrs9_staging")
    assert "case ifrs9-45dpd" in problem.message and "'ifrs9_staging'" in problem.message
    assert "ifrs9_stage" in problem.message  # the known tools are listed


def test_unknown_tool_in_a_rule(finance: Path) -> None:
    _edit(finance / RULES, "tools: [set_credit_limit]", "tools: [set_credit_limits]")
    (problem,) = _by_check(check_project(finance), "unknown-tool")
    assert (problem.file, problem.line) == (RULES, _line_of(finance / RULES, "set_credit_limits"))
    assert "rule F-C3" in problem.message and "params.tools" in problem.message


def test_harness_tools_and_globs_are_known(finance: Path) -> None:
    _edit(
        finance / RULES,
        "      write_tools: [set_credit_limit, escalate_to_bsa_officer]",
        "      write_tools: [set_credit_limit, escalate_to_bsa_officer]\n"
        "      always_allow: [request_human_approval]\n"
        '      deny: {"*": ["delete_*"]}',
    )
    assert _by_check(check_project(finance), "unknown-tool") == []


@pytest.mark.parametrize(
    ("file", "old", "new", "where", "role"),
    [
        (CASES, "role: bsa_officer", "role: aml_officer", "case structuring-alert", "aml_officer"),
        (RULES, "roles: [bsa_officer, credit_officer]", "roles: [bsa_officer, loan_officer]",
         "rule F-C5-ESC", "loan_officer"),
        (RULES, "unmask_roles: [fraud_investigator]", "unmask_roles: [fraud_analyst]",
         "rule F-C1", "fraud_analyst"),
        (RULES, "customer_service: [escalate_to_bsa_officer]",
         "call_centre: [escalate_to_bsa_officer]", "rule F-C3-ROLE", "call_centre"),
        (RULES, "role != 'bsa_officer'", "role != 'bsa_lead'", "rule F-C5-ACCESS", "bsa_lead"),
    ],
)  # fmt: skip
def test_undeclared_role(
    finance: Path, file: str, old: str, new: str, where: str, role: str
) -> None:
    _edit(finance / file, old, new)
    (problem,) = _by_check(check_project(finance), "undeclared-role")
    assert (problem.file, problem.line) == (file, _line_of(finance / file, new))
    assert where in problem.message and f"role {role!r}" in problem.message
    assert "pack.roles" in problem.message


def test_default_role_must_be_declared(finance: Path) -> None:
    _edit(finance / "toolkit.yaml", "default_role: customer_service", "default_role: teller")
    with pytest.raises(ConfigError, match=r"compliance.default_role.*'teller'.*pack.roles"):
        ProjectConfig.load(finance, environ={})
    (problem,) = check_project(finance)
    assert (problem.file, problem.check) == ("toolkit.yaml", "config")
    assert problem.line == _line_of(finance / "toolkit.yaml", "default_role: teller")


def test_write_tools_must_match_the_module(finance: Path) -> None:
    _edit(
        finance / "toolkit.yaml",
        "write_tools: [set_credit_limit, escalate_to_bsa_officer]",
        "write_tools: [set_credit_limit, ifrs9_stage]",
    )
    (problem,) = _by_check(check_project(finance), "write-tools")
    assert problem.file == "toolkit.yaml"
    assert "ifrs9_stage" in problem.message and "escalate_to_bsa_officer" in problem.message


def test_uncovered_rule(finance: Path) -> None:
    _edit(
        finance / RULES,
        "  - id: X0\n",
        "  - id: F-C7\n    title: No slang\n    regulation: House style\n    stages: [output]\n"
        "    kind: phrase\n    params: {phrases: [dude]}\n    action: block\n"
        "    severity: low\n  - id: X0\n",
    )
    (problem,) = _by_check(check_project(finance), "uncovered-rule")
    assert (problem.file, problem.line) == (RULES, _line_of(finance / RULES, "id: F-C7"))
    assert "F-C7" in problem.message and "evaluation case" in problem.message


def test_a_marked_test_does_not_replace_a_case(finance: Path) -> None:
    _edit(finance / CASES, "      rules: [F-C3-BOUNDS]\n", "")
    (finance / "tests" / "test_bounds.py").write_text(
        'import pytest\n\n\n@pytest.mark.toolkit_rules("F-C3-BOUNDS")\n'
        "def test_bounds() -> None:\n    pass\n",
        encoding="utf-8",
    )
    assert [p.message[:16] for p in _by_check(check_project(finance), "uncovered-rule")] == [
        "rule F-C3-BOUNDS"
    ]


def test_repeated_example(finance: Path) -> None:
    _edit(
        finance / CASES,
        "  - id: mortgage-documents\n",
        "  - id: echo\n    request: What is the LTV for loan amount 240,000 over 30 years?\n"
        "  - id: mortgage-documents\n",
    )
    _edit(
        finance / "toolkit.yaml",
        "    - Can you raise the card limit on my account to 75,000?\n",
        "    - Can you raise the card limit on my account to 75,000?\n"
        "    - Loan amount 240,000, term 30 years. What is the LTV?\n",
    )
    (problem,) = [p for p in check_project(finance) if "case echo " in p.message]
    assert problem.check == "repeated-example"
    assert (problem.file, problem.line) == (CASES, _line_of(finance / CASES, "for loan amount"))
    assert "request_human_approval (pack.approval_examples)" in problem.message
    assert "overlap 0.75" in problem.message  # 9 shared words of 12


def test_too_few_chinese_cases(finance: Path) -> None:
    _edit(
        finance / CASES,
        "request: 逾期45天的贷款属于IFRS 9第几阶段？",  # noqa: RUF001
        "request: Which IFRS 9 stage is a loan 45 days overdue in?",
    )
    _edit(
        finance / CASES,
        "request: 本金1万元，年利率4%，按月复利，存5年，利息一共多少？",  # noqa: RUF001
        "request: Interest on 10,000 over 5 years at 4%, compounded monthly?",
    )
    (problem,) = _by_check(check_project(finance), "chinese-cases")
    assert problem.file == CASES
    assert "2 case(s)" in problem.message and "at least 3" in problem.message


@pytest.mark.parametrize("heading", ["### Roles", "### Rule pack", "### Domain tools"])
def test_missing_readme_section(finance: Path, heading: str) -> None:
    _edit(finance / "README.md", f"{heading}\n", "")
    problems = _by_check(check_project(finance), "readme-section")
    title = heading.lstrip("# ")
    assert [p.file for p in problems] == ["README.md"]
    assert f"no {title!r} section" in problems[0].message


def test_readme_section_must_name_every_tool(finance: Path) -> None:
    _edit(finance / "README.md", "| `ifrs9_stage` |", "| `ifrs9` |")
    (problem,) = _by_check(check_project(finance), "readme-section")
    assert "'Domain tools'" in problem.message and "ifrs9_stage" in problem.message
    assert problem.line == _line_of(finance / "README.md", "### Domain tools")


def test_headings_inside_code_blocks_do_not_count(finance: Path) -> None:
    _edit(finance / "README.md", "### Roles\n", "```\n### Roles\n```\n")
    assert len(_by_check(check_project(finance), "readme-section")) == 1


# --- projects without a pack section (template 0.1.0) ---------------------------------------


def test_project_without_pack_section_runs_with_the_old_defaults(finance: Path) -> None:
    text = (finance / "toolkit.yaml").read_text(encoding="utf-8")
    (finance / "toolkit.yaml").write_text(text[: text.index("# The pack contract")], "utf-8")
    project = load_project(finance)
    assert project.config.pack is None
    assert project.config.tools_module == "src/acme_finance_agent/tools.py"
    assert project.config.approval_examples == ()
    assert "set_credit_limit" in {t.name for t in project.tools} and project.system_prompt
    (problem,) = _by_check(check_project(finance), "no-pack")
    assert problem.file == "toolkit.yaml" and "pack:" in problem.message


def test_declared_paths_are_read(finance: Path) -> None:
    package = finance / "src" / "acme_finance_agent"
    (finance / "pack").mkdir()
    shutil.move(package / "tools.py", finance / "pack" / "finance_tools.py")
    shutil.move(finance / "prompts" / "system.md", finance / "pack" / "prompt.md")
    _edit(
        finance / "toolkit.yaml",
        "tools: src/acme_finance_agent/tools.py",
        "tools: pack/finance_tools.py",
    )
    _edit(
        finance / "toolkit.yaml",
        "system_prompt: prompts/system.md",
        "system_prompt: pack/prompt.md",
    )
    project = load_project(finance)
    assert "irb_capital" in {t.name for t in project.tools}
    assert project.system_prompt == (finance / "pack" / "prompt.md").read_text("utf-8").strip()
    _edit(finance / "toolkit.yaml", "tools: pack/finance_tools.py", "tools: pack/missing.py")
    with pytest.raises(ConfigError, match=r"missing\.py: does not exist; pack\.tools"):
        load_project(finance)


# --- the command line ---------------------------------------------------------------------


def _toolkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "300", "HOME": str(cwd),
             "PYTHONPATH": str(Path(__file__).parent.parent)},
    )  # fmt: skip


def test_cli_lists_problems_and_exits_1(finance: Path) -> None:
    _edit(finance / CASES, "role: bsa_officer", "role: aml_officer")
    result = _toolkit("pack", "check", str(finance), cwd=finance)
    assert result.returncode == 1
    line = _line_of(finance / CASES, "role: aml_officer")
    assert f"evals/cases.yaml:{line}: [undeclared-role] case structuring-alert" in result.stdout
    assert "breaks the pack contract" in result.stderr and "Traceback" not in result.stderr


def test_cli_passes_a_project_that_keeps_the_contract(finance: Path) -> None:
    # finance's tool examples are being rewritten; this copy's tools carry none.
    tools = finance / "src" / "acme_finance_agent" / "tools.py"
    tools.write_text(
        tools.read_text(encoding="utf-8")
        + "\n\nimport dataclasses as _dc\nfrom toolkit.tooling import SPEC_ATTRIBUTE, spec_of\n\n"
        "for _value in list(globals().values()):\n"
        "    if (_spec := spec_of(_value)) is not None:\n"
        "        setattr(_value, SPEC_ATTRIBUTE, _dc.replace(_spec, examples=()))\n",
        encoding="utf-8",
    )
    result = _toolkit("pack", "check", cwd=finance)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keeps pack contract 1" in result.stdout
