"""`toolkit ask` on a generated finance project, on the embedded engine, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from toolkit.scaffold import create_project


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ask")
    return create_project("finance", output_dir=out, provided={}).project_dir


# A private HOME: tools that write caches under ~ (onnxruntime) never touch the checkout.
_HOME = tempfile.mkdtemp(prefix="toolkit-home-")


def ask(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", "ask", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": _HOME},
        check=False,
    )


def test_ask_prints_answer_tool_calls_and_tokens(project_dir: Path) -> None:
    result = ask(
        str(project_dir), "What is the monthly payment on a 200,000 loan at 6% over 30 years?"
    )
    assert result.returncode == 0, result.stderr
    assert "1,199.10" in result.stdout
    assert "loan_amortization" in result.stdout
    assert "Tokens: prompt" in result.stdout and "cached" in result.stdout


def test_ask_in_chinese_from_inside_the_project(project_dir: Path) -> None:
    result = ask("逾期45天的贷款属于IFRS 9第几阶段？", cwd=project_dir)  # noqa: RUF001
    assert result.returncode == 0, result.stderr
    assert "ifrs9_stage" in result.stdout
    assert '"dpd": 45' in result.stdout


def test_ask_shows_compliance_decisions_for_a_blocked_write(project_dir: Path) -> None:
    result = ask(
        str(project_dir),
        "Set the credit limit of account 12345678 to 20,000.",
        "--role",
        "customer_service",
    )
    assert result.returncode == 0, result.stderr
    assert "blocked" in result.stdout
    assert "F-C3-ROLE" in result.stdout


def test_ask_outside_a_project_is_a_clear_error(tmp_path: Path) -> None:
    result = ask("hello", cwd=tmp_path)
    assert result.returncode == 1
    assert "toolkit.yaml" in result.stderr
    assert "Traceback" not in result.stderr
