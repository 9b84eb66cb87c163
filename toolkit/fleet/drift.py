"""How far a project has drifted from its template: the fleet's "would an update conflict" column.

Today this reads only what a project records about itself (``.toolkit/answers.yaml``) and
what the toolkit ships: the recorded template version against the newest one shipped, and,
when the provenance records the hash of every rendered file (``files``), how many of those
files the customer changed or deleted. Whether `toolkit update` would conflict comes from
its side-effect-free dry run (`toolkit.update.plan_update`), asked only of projects behind
the shipped version: a current project has nothing to update, and the dry run renders two
template versions, too costly to spend on every project of a large scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from toolkit.errors import ToolkitError
from toolkit.update import plan_update

__all__ = ["Drift", "DriftStatus", "project_drift", "version_key"]

DriftStatus = Literal["current", "behind", "ahead", "unknown"]


class Drift(BaseModel):
    """A project's template drift."""

    status: DriftStatus
    """``behind`` when a newer template version ships; ``unknown`` when it cannot be told."""
    recorded_version: str = ""
    shipped_version: str = ""
    customized_files: int | None = None
    """Rendered files the customer changed or deleted; None without recorded file hashes."""
    update_conflicts: int | None = None
    """Files `toolkit update` would leave in conflict; 0 when not behind, None when the dry
    run could not tell (no recorded hashes, an unknown template or version)."""


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key for dotted versions.

    Numeric parts compare as numbers (``0.10 > 0.9``), and a part with a suffix comes before
    the bare number (``1.0.0rc1 < 1.0.0``).
    """
    key = []
    for part in version.strip().split("."):
        digits = len(part) - len(part.lstrip("0123456789"))
        number = int(part[:digits]) if digits else -1
        suffix = part[digits:]
        key.append((number, 0 if suffix else 1, suffix))
    return tuple(key)


def _customized(project_dir: Path, files: Any) -> int | None:
    if not isinstance(files, Mapping) or not files:
        return None
    changed = 0
    for relative, recorded in files.items():
        if not isinstance(relative, str) or not isinstance(recorded, str):
            return None
        algorithm, _, digest = recorded.partition(":")
        if algorithm != "sha256" or not digest:
            return None
        target = project_dir / relative
        try:
            current = hashlib.sha256(target.read_bytes()).hexdigest()
        except OSError:
            changed += 1  # deleted (or unreadable): no longer the file the template wrote
            continue
        changed += current != digest
    return changed


def project_drift(
    project_dir: Path, provenance: Mapping[str, Any], shipped: Mapping[str, str]
) -> Drift:
    """The drift of one project from the template versions shipped with this toolkit.

    Args:
        project_dir: The project's folder.
        provenance: Its parsed ``.toolkit/answers.yaml`` (``template``, ``template_version``,
            and ``files``: POSIX path -> ``sha256:<hex>`` when recorded).
        shipped: Template name -> the version this toolkit ships.

    Returns:
        The drift; side-effect free (reads files, writes nothing).
    """
    template = str(provenance.get("template", ""))
    recorded = str(provenance.get("template_version", ""))
    newest = shipped.get(template, "")
    customized = _customized(project_dir, provenance.get("files"))
    if not recorded or not newest:
        status: DriftStatus = "unknown"
    elif version_key(recorded) < version_key(newest):
        status = "behind"
    elif version_key(recorded) > version_key(newest):
        status = "ahead"
    else:
        status = "current"
    return Drift(
        status=status,
        recorded_version=recorded,
        shipped_version=newest,
        customized_files=customized,
        update_conflicts=_update_conflicts(project_dir, newest) if status == "behind" else 0,
    )


def _update_conflicts(project_dir: Path, newest: str) -> int | None:
    """Files an update to ``newest`` would leave in conflict, by `toolkit update`'s dry run."""
    try:
        return len(plan_update(project_dir, newest).conflicts)
    except ToolkitError:
        return None
