"""Render every template as a user would, then run the generated project's own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.scaffold import list_templates

TEMPLATES = [t.name for t in list_templates()]


def test_there_is_at_least_one_template() -> None:
    assert "finance" in TEMPLATES


@pytest.fixture(scope="module", params=TEMPLATES)
def rendered(request: pytest.FixtureRequest, rendered_template: Callable[[str], Path]) -> Path:
    return rendered_template(request.param)


def test_no_template_syntax_survives(rendered: Path) -> None:
    for path in rendered.rglob("*"):
        if path.is_file() and path.suffix != ".whl":  # vendor/: the toolkit runtime wheel
            text = path.read_text(encoding="utf-8")
            for marker in ("{{", "{%", "{#"):
                assert marker not in text, f"{marker} left in {path.relative_to(rendered)}"
        assert "cookiecutter" not in path.name


def test_generated_project_has_the_skeleton(rendered: Path) -> None:
    package = rendered.name.replace("-", "_")
    for rel in (
        "pyproject.toml",
        f"src/{package}/tools.py",
        "prompts/system.md",
        "knowledge",
        "compliance/rules.yaml",
        "evals/cases.yaml",
        "tests",
        "README.md",
        "Makefile",
        ".github/workflows/ci.yml",
        "toolkit.yaml",
        ".toolkit/answers.yaml",
    ):
        assert (rendered / rel).exists(), rel


@pytest.mark.slow
def test_generated_project_tests_pass_offline(rendered: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLKIT_")}
    env["NO_PROXY"] = "*"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
        ],
        cwd=rendered,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
