"""A generated project, copied alone to a new folder, installs by its README and passes its tests.

A real install: a new virtual environment (no access to this one's packages), `make install`
(the toolkit wheel from the project's vendor/ folder, the rest from the package index), then
the project's own tests. It needs the package index and takes minutes on a cold pip cache
(docs/decisions.md has the measurements), so it runs when TOOLKIT_TEST_FRESH_INSTALL=1
(`make test-install`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.scaffold import create_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TOOLKIT_TEST_FRESH_INSTALL") != "1" or shutil.which("make") is None,
        reason="installs from the package index; run `make test-install` to include it",
    ),
]


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{cmd}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_a_project_copied_alone_installs_and_passes_its_tests(tmp_path: Path) -> None:
    generated = create_project("finance", output_dir=tmp_path / "gen", provided={}).project_dir
    project = tmp_path / "elsewhere" / generated.name
    shutil.copytree(generated, project)
    shutil.rmtree(generated)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOOLKIT_", "PYTHON"))}
    env["NO_PROXY"] = "*"
    base_python = getattr(sys, "_base_executable", sys.executable)
    _run([base_python, "-m", "venv", ".venv"], project, env)
    python = str(project / ".venv" / "bin" / "python")
    _run(["make", "install", f"PYTHON={python}"], project, env)
    where = _run([python, "-c", "import toolkit; print(toolkit.__file__)"], project, env)
    assert str(project / ".venv") in where.stdout  # the vendored wheel, not this checkout
    result = _run([python, "-m", "pytest", "-q"], project, env)
    assert " passed" in result.stdout and " failed" not in result.stdout
