"""Resuming a fleet evaluation: is a project's report fresh for its current inputs?

A project's inputs are its files (configuration, cases, rules, prompt, tools, knowledge,
provenance), the toolkit version and the evaluation's options. After each project's
evaluation, the fleet writes ``fleet-inputs.json`` beside its ``report.json``: the inputs'
fingerprint and the report's hash. A resumed run skips a project whose fingerprint is
unchanged and whose report is the one that was written then (a later `toolkit eval` with
other options rewrites the report, and the project runs again).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.fleet.output import write_atomic

__all__ = ["MARKER_FILE", "fresh_report", "input_fingerprint", "mark_fresh"]

MARKER_FILE = "fleet-inputs.json"

# Derived state: caches, stores, logs and earlier reports are outputs of a run, not inputs.
_DERIVED = frozenset({"__pycache__", "node_modules", ".venv", "venv"})


def _files(project: Path, report_dir: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, names in os.walk(project):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _DERIVED and here / d != report_dir
        )
        found.extend(here / name for name in names if not name.startswith("."))
    provenance = project / ".toolkit" / "answers.yaml"
    if provenance.is_file():
        found.append(provenance)
    return sorted(found)


def input_fingerprint(project: Path, report_dir: Path, options: Mapping[str, Any]) -> str:
    """SHA-256 over the project's input files, the toolkit version and ``options``.

    Args:
        project: The project folder.
        report_dir: Its report folder (excluded: reports are outputs).
        options: The evaluation options that change results (endpoint, model, repeats).
    """
    digest = hashlib.sha256()
    digest.update(f"toolkit {__version__}\0".encode())
    digest.update(json.dumps(dict(options), sort_keys=True, default=str).encode())
    for path in _files(project, report_dir):
        digest.update(b"\0" + path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mark_fresh(report_dir: Path, fingerprint: str) -> None:
    """Record that ``report_dir/report.json`` was written for inputs ``fingerprint``."""
    record = {"fingerprint": fingerprint, "report_sha256": _sha256(report_dir / "report.json")}
    write_atomic(report_dir / MARKER_FILE, json.dumps(record, indent=2) + "\n")


def fresh_report(report_dir: Path, fingerprint: str) -> Path | None:
    """The report that is fresh for ``fingerprint``, or None when the project must run."""
    report = report_dir / "report.json"
    try:
        record = json.loads((report_dir / MARKER_FILE).read_text(encoding="utf-8"))
        if (
            isinstance(record, dict)
            and record.get("fingerprint") == fingerprint
            and record.get("report_sha256") == _sha256(report)
        ):
            return report
    except (OSError, ValueError):
        pass
    return None
