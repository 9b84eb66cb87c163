from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from toolkit.errors import TemplateNotFoundError
from toolkit.scaffold import get_template, list_templates, templates_root

REPO = Path(__file__).resolve().parent.parent


def test_source_checkout_finds_repository_templates() -> None:
    assert templates_root() == REPO / "templates"


def test_list_has_metadata() -> None:
    (finance,) = [t for t in list_templates() if t.name == "finance"]
    assert finance.title and finance.description
    assert finance.version.count(".") == 2


@pytest.mark.parametrize(
    "name", ["", "insurance", "../finance", "finance/..", "_shared", "finance\x00"]
)
def test_unknown_names_list_the_available_ones(name: str) -> None:
    with pytest.raises(TemplateNotFoundError, match="finance"):
        get_template(name)


@pytest.mark.slow
def test_wheel_ships_the_templates_with_shared_partials(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "toolkit/_templates/finance/cookiecutter.json" in names
    assert "toolkit/_templates/finance/templates/base/toolkit.yaml" in names
    assert any(
        n.startswith("toolkit/_templates/finance/{{cookiecutter.project_slug}}/") for n in names
    )
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "new",
            "finance",
            "--no-input",
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    project = tmp_path / "out" / "acme-finance-agent"
    assert (project / "toolkit.yaml").read_text(encoding="utf-8").startswith("# acme-finance-agent")
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "from toolkit.scaffold import templates_root; print(templates_root())",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,
    )
    assert where.stdout.strip() == str(target / "toolkit" / "_templates")


@pytest.mark.slow
def test_wheel_gives_every_industry_the_shared_partials(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for name in ("toolkit", "templates"):
        shutil.copytree(REPO / name, source / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy(REPO / name, source / name)
    # A second industry, added the way a pack author adds one: a folder with its own
    # cookiecutter.json and the `templates` link to the shared partials, nothing else.
    shutil.copytree(source / "templates" / "finance", source / "templates" / "zz", symlinks=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(source)],
        check=True,
        timeout=600,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shared = sorted(p.name for p in (REPO / "templates" / "_shared" / "base").iterdir())
    for industry in ("finance", "zz"):
        for name in shared:
            assert f"toolkit/_templates/{industry}/templates/base/{name}" in names
