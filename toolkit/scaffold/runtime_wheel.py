"""Write the toolkit runtime a project was generated with into the project, as a wheel.

The generated project depends on ``industry-agent-toolkit``, which no public package index
carries. `toolkit new` therefore writes ``vendor/industry_agent_toolkit-<version>-py3-none-
any.whl`` into the project, and the project's ``make install`` installs it before the project
itself, so a project copied alone to a fresh machine installs by its own README (the other
dependencies come from the package index as usual).

The wheel is packed from the running toolkit, offline: the ``toolkit`` package, the templates
(as the official wheel holds them, partials copied in) and metadata read from the source
checkout's ``pyproject.toml`` or, in an installed toolkit, from its distribution record.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from toolkit import __version__
from toolkit.scaffold.catalog import templates_root

__all__ = ["DIST_NAME", "VENDOR_DIR", "runtime_wheel_name", "write_runtime_wheel"]

DIST_NAME = "industry-agent-toolkit"
VENDOR_DIR = Path("vendor")
_PACKAGE = Path(__file__).resolve().parent.parent
_SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def runtime_wheel_name() -> str:
    """The file name of the runtime wheel (PEP 427)."""
    return f"{DIST_NAME.replace('-', '_')}-{__version__}-py3-none-any.whl"


def _metadata() -> tuple[list[str], dict[str, dict[str, str]], str]:
    """Requires-Dist lines, entry points and the summary of the running toolkit."""
    pyproject = _PACKAGE.parent / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == DIST_NAME:
            requires = list(project.get("dependencies", []))
            declared = {"console_scripts": dict(project.get("scripts", {}))}
            declared.update({k: dict(v) for k, v in project.get("entry-points", {}).items()})
            return requires, declared, str(project.get("description", ""))
    dist = importlib.metadata.distribution(DIST_NAME)
    requires = [r for r in dist.requires or [] if "extra ==" not in r]
    groups: dict[str, dict[str, str]] = {}
    for entry in dist.entry_points:
        groups.setdefault(entry.group, {})[entry.name] = entry.value
    return requires, groups, str(dist.metadata["Summary"] or "")


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                yield Path(folder) / name


def _payload() -> Iterator[tuple[str, Path]]:
    for path in _walk(_PACKAGE):
        yield f"toolkit/{path.relative_to(_PACKAGE).as_posix()}", path
    templates = templates_root()
    if templates != _PACKAGE / "_templates":  # a source checkout: bundle them as hatch does
        for path in _walk(templates):
            yield f"toolkit/_templates/{path.relative_to(templates).as_posix()}", path


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_runtime_wheel(project_dir: Path) -> Path:
    """Write the runtime wheel into ``project_dir/vendor`` and return its path.

    The archive is deterministic (sorted entries, fixed times), so writing it again for the
    same toolkit gives the same bytes.
    """
    requires, groups, summary = _metadata()
    dist_info = f"{DIST_NAME.replace('-', '_')}-{__version__}.dist-info"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {DIST_NAME}",
            f"Version: {__version__}",
            f"Summary: {summary}",
            "License: Apache-2.0",
            "Requires-Python: >=3.11",
            *(f"Requires-Dist: {r}" for r in requires),
        ]
    )
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(items.items())) + "\n"
        for group, items in sorted(groups.items())
    )
    wheel = "Wheel-Version: 1.0\nGenerator: toolkit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    extra = {
        f"{dist_info}/METADATA": (metadata + "\n").encode(),
        f"{dist_info}/WHEEL": wheel.encode(),
        f"{dist_info}/entry_points.txt": entry_points.encode(),
    }
    target_dir = project_dir / VENDOR_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / runtime_wheel_name()
    tmp = target.with_suffix(".tmp")
    record = []
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            record.append(_record_line(name, data))

        for name, path in _payload():
            add(name, path.read_bytes())
        for name, data in extra.items():
            add(name, data)
        record_name = f"{dist_info}/RECORD"
        add(record_name, ("\n".join([*record, f"{record_name},,"]) + "\n").encode())
    tmp.replace(target)
    return target
