from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import ConfigError, EvalCaseError
from toolkit.evals import EvalSuite, Tolerance

VALID = """\
cases:
  - id: amortization-30y
    request: What is the monthly payment on a 200,000 loan at 6% over 30 years?
    role: customer_service
    expect:
      tools:
        - name: loan_amortization
          args: {principal: 200000, annual_rate: 0.06, n_months: 360}
          tolerance: 0.5
      order: strict
      answer_contains: "1,199.10"
      answer_excludes: ["re:guarantee[sd]?"]
      retrieved: [underwriting-policy]
      rules: [F-C2]
    tags: [worked-example]
    repeats: 3
  - id: escalate
    request: Raise my limit to 80,000 now.
    expect:
      escalation: request_human_approval
      retrieved: {ids: [policy], k: 2}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_valid_suite(tmp_path: Path) -> None:
    suite = EvalSuite.load(write(tmp_path, VALID))
    assert [c.id for c in suite] == ["amortization-30y", "escalate"]
    first = suite.get("amortization-30y")
    tool = first.expect.tools[0] if first.expect.tools else None
    assert tool is not None and tool.tolerance == Tolerance(abs=0.5)
    assert first.expect.order == "strict"
    assert [p.text for p in first.expect.answer_contains] == ["1,199.10"]
    assert first.expect.answer_excludes[0].is_regex
    assert first.expect.retrieved is not None and first.expect.retrieved.ids == [
        "underwriting-policy"
    ]
    assert first.repeats == 3
    second = suite.get("escalate")
    assert second.expect.tools is None and second.expect.order == "any"
    assert second.expect.retrieved is not None and second.expect.retrieved.k == 2
    assert len(suite) == 2
    with pytest.raises(KeyError):
        suite.get("nope")


CASE_HEAD = "cases:\n  - id: c1\n    request: hello\n"


@pytest.mark.parametrize(
    ("body", "line", "field", "words"),
    [
        ("    expect:\n      tols: []\n", 5, "expect.tols", "not a known key"),
        ("    expect:\n      order: random\n", 5, "expect.order", "strict"),
        (
            "    expect:\n      tools:\n        - args: {a: 1}\n",
            6,
            "expect.tools.0.name",
            "required",
        ),
        (
            "    expect:\n      tools:\n        - name: t\n          tolerance: {abs: -1}\n",
            7,
            "expect.tools.0.tolerance.abs",
            "greater than or equal",
        ),
        (
            "    expect:\n      tools:\n        - name: t\n          tolerance: {}\n",
            7,
            "expect.tools.0.tolerance",
            "at least one",
        ),
        ("    expect:\n      answer_contains: ['re:(unclosed']\n", 5, "expect.answer_contains",
         "regular expression"),
        ("    expect:\n      refusal: true\n      escalation: request_human_approval\n", 4,
         "expect", "exclude each other"),
        ("    repeats: 0\n", 4, "repeats", "greater than or equal"),
        ("    expect:\n      retrieved: []\n", 5, "expect.retrieved.ids", "at least 1"),
    ],
)  # fmt: skip
def test_invalid_case_names_file_line_case_and_field(
    tmp_path: Path, body: str, line: int, field: str, words: str
) -> None:
    path = write(tmp_path, CASE_HEAD + body)
    with pytest.raises(EvalCaseError) as err:
        EvalSuite.load(path)
    message = str(err.value)
    assert err.value.case_id == "c1"
    assert err.value.field == field
    assert err.value.line == line
    assert f"{path}:{line}" in message
    assert "'c1'" in message and field in message
    assert words in message


def test_missing_request_and_bad_id(tmp_path: Path) -> None:
    with pytest.raises(EvalCaseError, match=r"request.*required") as err:
        EvalSuite.load(write(tmp_path, "cases:\n  - id: c9\n    expect: {}\n"))
    assert err.value.case_id == "c9"
    with pytest.raises(EvalCaseError) as err:
        EvalSuite.load(write(tmp_path, "cases:\n  - id: 'bad id!'\n    request: hi\n"))
    assert err.value.field == "id"


def test_case_without_id_is_named_by_position(tmp_path: Path) -> None:
    text = CASE_HEAD + "  - request: second\n"
    with pytest.raises(EvalCaseError) as err:
        EvalSuite.load(write(tmp_path, text))
    assert err.value.case_id == "#2" and err.value.field == "id"


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    text = CASE_HEAD + "  - id: c1\n    request: again\n"
    with pytest.raises(EvalCaseError, match=r"duplicate id \(first used on line 2\)") as err:
        EvalSuite.load(write(tmp_path, text))
    assert err.value.line == 4


@pytest.mark.parametrize(
    "text", ["- just a list\n", "cases: {a: 1}\n", "cases: []\nextra: 1\n", "cases:\n  - 3\n"]
)
def test_file_shape_errors(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match=str(tmp_path / "cases.yaml")):
        EvalSuite.load(write(tmp_path, text))


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        EvalSuite.load(write(tmp_path, CASE_HEAD + "    expect: [unclosed\n"))
    assert err.value.line is not None


def test_empty_case_list_is_allowed(tmp_path: Path) -> None:
    assert len(EvalSuite.load(write(tmp_path, "cases: []\n"))) == 0


@pytest.mark.parametrize(
    ("tolerance", "expected", "actual", "ok"),
    [
        (Tolerance(abs=0.01), 1.0, 1.009, True),
        (Tolerance(abs=0.01), 1.0, 1.011, False),
        (Tolerance(rel=0.01), 200.0, 201.9, True),
        (Tolerance(rel=0.01), 200.0, 202.1, False),
        (Tolerance(abs=0.001, rel=0.01), 0.0, 0.0005, True),
        (Tolerance(abs=0.001, rel=0.01), 100.0, 100.9, True),
    ],
)
def test_tolerance_absolute_or_relative(
    tolerance: Tolerance, expected: float, actual: float, ok: bool
) -> None:
    assert tolerance.accepts(expected, actual) is ok


TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize(
    "cases_file", sorted(TEMPLATES.glob("*/{{cookiecutter.project_slug}}/evals/cases.yaml"))
)
def test_shipped_template_cases_are_valid(cases_file: Path) -> None:
    suite = EvalSuite.load(cases_file)
    assert len(suite) > 0


def test_a_case_may_set_deployment_context(tmp_path: Path) -> None:
    text = (
        "cases:\n  - id: abroad\n    request: Check this IBAN.\n"
        "    context: {customer_region: cn, endpoint_region: eu, audited: true}\n"
    )
    case = EvalSuite.load(write(tmp_path, text)).cases[0]
    assert case.context == {"customer_region": "cn", "endpoint_region": "eu", "audited": True}
    nested = text.replace("audited: true", "audited: {deep: 1}")
    with pytest.raises(EvalCaseError) as err:
        EvalSuite.load(write(tmp_path, nested))
    assert err.value.field.startswith("context")
