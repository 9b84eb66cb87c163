from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from toolkit.evals.pii import find_unmasked_pii
from toolkit.evals.testing import write_project

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent

CASES = """\
cases:
  - id: amort
    request: Monthly payment?
    expect: {answer_contains: ["1,199.10"], rules: [F-C2]}
  - id: wrong-answer
    request: Stage?
    expect: {answer_contains: ["stage 2"]}
  - id: flaky
    request: Again?
    repeats: 2
    expect: {answer_contains: ["yes"]}
"""
RULES = """\
rules:
  - {id: F-C2, regulation: "FINRA Rule 2210(d)(1)", kind: phrase, params: {phrases: [guaranteed]}}
  - {id: F-C9, regulation: "Somewhere", kind: phrase, params: {phrases: [zzz]}}
"""
CONFTEST = """\
from toolkit.evals._result import AgentResult

ANSWERS = {"amort": ["1,199.10 a month"], "wrong-answer": ["stage 3"], "flaky": ["yes", "no"]}
CALLS = {}


def pytest_toolkit_eval_ask(config, project_dir):
    def ask(case):
        n = CALLS.get(case.id, 0)
        CALLS[case.id] = n + 1
        return AgentResult(answer=ANSWERS[case.id][n % len(ANSWERS[case.id])])

    return ask
"""


def plugin_args() -> list[str]:
    installed = any(ep.name == "toolkit_evals" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "toolkit.evals.plugin"]


@pytest.fixture(autouse=True)
def _quiet_inner_runs(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester.path, cases=CASES, rules=RULES)
    (root / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    return root


def test_entry_point_is_declared() -> None:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["entry-points"]["pytest11"] == {"toolkit_evals": "toolkit.evals.plugin"}


def test_each_case_is_an_item_named_by_its_id(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("evals", "--collect-only", "-q", *plugin_args())
    result.stdout.fnmatch_lines(
        [
            "evals/cases.yaml::amort",
            "evals/cases.yaml::wrong-answer",
            "evals/cases.yaml::flaky",
            "evals/cases.yaml::rule-coverage",
        ]
    )


def test_outcomes_and_evidence(pytester: pytest.Pytester, project: Path) -> None:
    result = pytester.runpytest("evals", *plugin_args())
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    assert (
        "evaluation case 'wrong-answer' failed: Stage?\n"
        "  repeat 0 [answer_contains] the answer does not contain 'stage 2'\n"
        '      evidence: "stage 3"'
    ) in out
    assert "repeat 1 [answer_contains] the answer does not contain 'yes'" in out
    assert "rules exercised by no evaluation case and no test: F-C9." in out
    result.stdout.fnmatch_lines(["FAILED evals/cases.yaml::wrong-answer*"])
    assert "Traceback" not in out


def test_marked_test_covers_a_rule(pytester: pytest.Pytester, project: Path) -> None:
    pytester.makepyfile(
        test_rules="""
        import pytest

        @pytest.mark.toolkit_rules("F-C9")
        def test_phrase_rule():
            assert True
        """
    )
    result = pytester.runpytest("evals", "test_rules.py", "-k", "coverage or phrase",
                                *plugin_args())  # fmt: skip
    result.assert_outcomes(passed=2)


def test_junit_properties(pytester: pytest.Pytester, project: Path) -> None:
    pytester.runpytest("evals", "--junitxml=out.xml", "-o", "junit_family=xunit1", *plugin_args())
    xml = (pytester.path / "out.xml").read_text(encoding="utf-8")
    assert '<property name="rule" value="F-C2"' in xml
    assert '<property name="regulation:F-C2" value="FINRA Rule 2210(d)(1)"' in xml


def test_inert_outside_toolkit_projects(pytester: pytest.Pytester) -> None:
    (pytester.path / "evals").mkdir()
    (pytester.path / "evals" / "cases.yaml").write_text(CASES, encoding="utf-8")
    result = pytester.runpytest("evals", *plugin_args())
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_invalid_cases_are_a_collection_error(pytester: pytest.Pytester) -> None:
    write_project(pytester.path, cases="cases:\n  - id: c1\n    request: hi\n    expect: {x: 1}\n")
    result = pytester.runpytest("evals", *plugin_args())
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*cases.yaml:4 (key 'expect.x'): case 'c1'*"])


def test_cases_are_collected_where_toolkit_yaml_declares_them(
    pytester: pytest.Pytester, project: Path
) -> None:
    config = project / "toolkit.yaml"
    text = config.read_text(encoding="utf-8")
    assert "evaluation:\n" in text
    config.write_text(
        text.replace("evaluation:\n", "evaluation:\n  cases: suite/regression.yml\n"), "utf-8"
    )
    (project / "suite").mkdir()
    (project / "evals" / "cases.yaml").rename(project / "suite" / "regression.yml")
    (project / "evals" / "cases.yaml").write_text("not: [cases", encoding="utf-8")  # not declared
    result = pytester.runpytest(".", "--collect-only", "-q", *plugin_args())
    result.stdout.fnmatch_lines(
        ["suite/regression.yml::amort", "suite/regression.yml::rule-coverage"]
    )
    assert "evals/cases.yaml" not in result.stdout.str()


def test_failure_reports_hold_no_identifier_in_clear(pytester: pytest.Pytester) -> None:
    cases = """\
cases:
  - id: card
    request: "My card is 4111 1111 1111 1111, what is my limit?"
    expect: {answer_contains: ["limit"]}
"""
    write_project(pytester.path, cases=cases, rules=RULES)
    pytester.makeconftest(
        "from toolkit.evals._result import AgentResult\n\n\n"
        "def pytest_toolkit_eval_ask(config, project_dir):\n"
        "    return lambda case: AgentResult(answer='card 4111.1111.1111.1111 on file')\n"
    )
    result = pytester.runpytest("evals", "--junitxml=out.xml", *plugin_args())
    result.assert_outcomes(failed=2)  # the case, and rule coverage (F-C2, F-C9)
    xml = (pytester.path / "out.xml").read_text(encoding="utf-8")
    assert "411111******1111" in xml
    for text in (xml, result.stdout.str()):
        assert find_unmasked_pii(text) == []
