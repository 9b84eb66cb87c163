from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from toolkit import __version__

# A private HOME: tools that write caches under ~ (onnxruntime) never touch the checkout.
_HOME = tempfile.mkdtemp(prefix="toolkit-home-")


def run(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": _HOME},
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"toolkit {__version__}"


def test_list_shows_each_template() -> None:
    result = run("list")
    assert result.returncode == 0
    assert "finance" in result.stdout
    assert "Retail finance" in result.stdout


def test_new_no_input_creates_project_and_prints_next_steps(tmp_path: Path) -> None:
    result = run("new", "finance", "--no-input", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "acme-finance-agent" / "toolkit.yaml").is_file()
    assert "Next steps" in result.stdout
    assert str(tmp_path / "acme-finance-agent") in result.stdout


def test_new_with_set_and_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("project_name: Harbour Bank Desk\nauthor: Risk Team\n", encoding="utf-8")
    result = run(
        "new",
        "finance",
        "--no-input",
        "-o",
        str(tmp_path / "out"),
        "--answers-file",
        str(answers),
        "--set",
        "model=qwen-plus",
    )
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "out" / "harbour-bank-desk" / "toolkit.yaml").read_text(encoding="utf-8")
    assert '"qwen-plus"' in config


def test_interactive_prompts_read_stdin(tmp_path: Path) -> None:
    stdin = "Tideway Lending\n\n\n\n\n\n\n"
    result = run("new", "finance", "-o", str(tmp_path), stdin=stdin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "tideway-lending" / "src" / "tideway_lending").is_dir()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--set", "project_slug=../../escape"], "project_slug"),
        (["--set", "project_name={{ cookiecutter.__init__ }}"], "template syntax"),
        (["--set", "project_name=" + "A" * 5000], "limit is 100"),
        (["--set", "author=bad\x1bname"], "control"),
        (["--set", "package_name=sys"], "shadow"),
        (["--set", "nonsense"], "KEY=VALUE"),
        (["--set", "color=blue"], "not a question"),
    ],
)
def test_hostile_answers_exit_1_and_write_nothing(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    out = tmp_path / "out"
    result = run("new", "finance", "--no-input", "-o", str(out), *args)
    assert result.returncode == 1
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_unknown_industry_lists_available(tmp_path: Path) -> None:
    result = run("new", "insurance", "--no-input", "-o", str(tmp_path))
    assert result.returncode == 1
    available = result.stderr.split("Available templates:", 1)[1].split(".", 1)[0]
    assert {"auto", "finance"} <= {name.strip() for name in available.split(",")}


def test_usage_error_exits_2() -> None:
    assert run("new").returncode == 2
    assert run("new", "finance", "--bogus").returncode == 2


def test_existing_target_exits_1_then_force_updates(tmp_path: Path) -> None:
    assert run("new", "finance", "--no-input", "-o", str(tmp_path)).returncode == 0
    mine = tmp_path / "acme-finance-agent" / "mine.txt"
    mine.write_text("keep", encoding="utf-8")
    again = run("new", "finance", "--no-input", "-o", str(tmp_path))
    assert again.returncode == 1
    assert "--force" in again.stderr
    forced = run("new", "finance", "--no-input", "-o", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert mine.read_text(encoding="utf-8") == "keep"


def test_bad_answers_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "answers.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    result = run(
        "new", "finance", "--no-input", "-o", str(tmp_path / "o"), "--answers-file", str(bad)
    )
    assert result.returncode == 1
    assert "answers.yaml" in result.stderr
