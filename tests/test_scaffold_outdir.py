"""`toolkit new -o`: every unusable output folder is a clean error naming it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from toolkit.errors import OutputFolderError
from toolkit.scaffold import create_project
from toolkit.scaffold.outdir import prepare_output_dir

REPO = Path(__file__).resolve().parent.parent


def _file(tmp: Path) -> Path:
    (tmp / "afile").write_text("x", encoding="utf-8")
    return tmp / "afile"


def _under_file(tmp: Path) -> Path:
    return _file(tmp) / "sub"


def _dangling(tmp: Path) -> Path:
    (tmp / "dangling").symlink_to(tmp / "nowhere")
    return tmp / "dangling"


def _looping(tmp: Path) -> Path:
    (tmp / "loop1").symlink_to(tmp / "loop2")
    (tmp / "loop2").symlink_to(tmp / "loop1")
    return tmp / "loop1"


def _under_loop(tmp: Path) -> Path:
    return _looping(tmp) / "inner"


def _proc(tmp: Path) -> Path:
    return Path("/proc/self/toolkit-project")


def _link_to_proc(tmp: Path) -> Path:
    (tmp / "to-proc").symlink_to("/proc/self")
    return tmp / "to-proc"


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a file": (_file, "is a file"),
    "under a file": (_under_file, "under a file"),
    "dangling symlink": (_dangling, "does not exist"),
    "looping symlink": (_looping, "loops"),
    "under a looping symlink": (_under_loop, "loops"),
    "in /proc": (_proc, "kernel or device filesystem"),
    "a link into /proc": (_link_to_proc, "kernel or device filesystem"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unusable_output_folder_is_refused_naming_it(case: str, tmp_path: Path) -> None:
    make, expected = CASES[case]
    path = make(tmp_path)
    with pytest.raises(OutputFolderError) as info:
        create_project("finance", output_dir=path, provided={})
    assert str(path) in str(info.value) and expected in str(info.value)
    assert "Nothing was written" in str(info.value)


def test_a_fresh_nested_folder_is_created(tmp_path: Path) -> None:
    assert prepare_output_dir(tmp_path / "a" / "b") == (tmp_path / "a" / "b").resolve()


@pytest.mark.parametrize("case", ["a file", "looping symlink", "in /proc"])
def test_cli_prints_no_traceback(case: str, tmp_path: Path) -> None:
    path = CASES[case][0](tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "toolkit", "new", "finance", "--no-input", "-o", str(path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "300",
             "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr
