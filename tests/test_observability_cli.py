"""`toolkit ask --trace-otel F` in a subprocess: spans in a file, contents masked when opted in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

_HOME = tempfile.mkdtemp(prefix="toolkit-home-")


@pytest.fixture(scope="module")
def project_dir(
    rendered_template: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    root = tmp_path_factory.mktemp("otel-cli") / "project"
    shutil.copytree(rendered_template("finance"), root)
    return root


def test_ask_writes_masked_spans_when_contents_are_opted_in(
    project_dir: Path, tmp_path: Path
) -> None:
    spans_file = tmp_path / "spans.jsonl"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "ask",
            str(project_dir),
            "Is card 4111111111111111 valid?",
            "--trace-otel",
            str(spans_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            "PATH": "/usr/bin:/bin",
            "COLUMNS": "200",
            "HOME": _HOME,
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true",
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "validate_account_id" in result.stdout
    text = spans_file.read_text(encoding="utf-8")
    assert "4111111111111111" not in text
    spans = [json.loads(line) for line in text.splitlines()]
    names = [span["name"] for span in spans]
    assert "invoke_agent Acme Finance Agent" in names
    assert "execute_tool validate_account_id" in names
    assert sum(name.startswith("chat ") for name in names) == 2
    (root,) = [span for span in spans if span["parent_id"] is None]
    assert {span["context"]["trace_id"] for span in spans} == {root["context"]["trace_id"]}
    messages = json.loads(root["attributes"]["gen_ai.input.messages"])
    assert messages[0]["parts"][0]["content"] == "Is card 411111******1111 valid?"
