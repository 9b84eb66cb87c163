"""An evaluation run's files written as one set, with a manifest so readers refuse a torn set.

Each file is written whole to a staging folder beside its destination and
fsynced. Then ``manifest.json`` (each file's size, line count and SHA-256) is
moved into place, and only then the files, one rename each. A kill at any
point leaves either the previous set, or a manifest that some file does not
match: `check_member` finds that, so ``toolkit cache analyze`` refuses a trace
with 20 of the 34 requests its run recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.errors import TraceError

__all__ = ["MANIFEST", "check_member", "write_atomic", "write_set"]

MANIFEST = "manifest.json"
_FORMAT = 1
_STAGING = ".writing-"
# A staging folder this old was left by a killed writer, not one still writing.
_STALE_S = 3600.0


def _remove_stale_staging(folder: Path) -> None:
    now = time.time()
    for leftover in folder.glob(f"{_STAGING}*"):
        with contextlib.suppress(OSError):
            if leftover.is_dir() and now - leftover.stat().st_mtime > _STALE_S:
                shutil.rmtree(leftover, ignore_errors=True)


def _describe(data: bytes) -> dict[str, Any]:
    return {
        "bytes": len(data),
        "lines": data.count(b"\n"),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write one file whole or not at all: a synced temporary file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        _write_synced(Path(temp), data)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_set(files: Mapping[str, bytes], folder: Path) -> dict[str, Path]:
    """Write ``files`` (name -> content) into ``folder`` as one set, with its manifest.

    Args:
        files: File names (no folders) and their complete contents.
        folder: Destination folder (created if needed).

    Returns:
        File name -> the path written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(folder)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=folder))
    try:
        for name, data in files.items():
            _write_synced(staging / name, data)
        manifest = {
            "format": _FORMAT,
            "files": {name: _describe(data) for name, data in sorted(files.items())},
        }
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        _write_synced(staging / MANIFEST, text.encode("utf-8"))
        # The manifest first: from here on, a file left over from an earlier run no longer
        # matches it, so a set torn by a kill is detectable instead of silently mixed.
        (staging / MANIFEST).replace(folder / MANIFEST)
        _sync_dir(folder)
        for name in files:
            (staging / name).replace(folder / name)
        _sync_dir(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: folder / name for name in files}


def check_member(path: Path) -> None:
    """Refuse ``path`` if the manifest beside it says it is torn or truncated.

    A file with no manifest beside it (a trace recorded by another tool), or one the
    manifest does not list, is accepted as it is.

    Raises:
        TraceError: the manifest is unreadable, or the file differs from what it records.
    """
    manifest_path = path.parent / MANIFEST
    if not manifest_path.is_file():
        return
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        entry = manifest["files"].get(path.name)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise TraceError(
            file=str(manifest_path),
            problem=f"the run's manifest is unreadable ({type(exc).__name__}); run the evaluation "
            "again to write a complete set",
        ) from exc
    if entry is None:
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TraceError(file=str(path), problem=f"cannot read the file ({exc.strerror})") from exc
    found = _describe(data)
    if found != {key: entry.get(key) for key in found}:
        raise TraceError(
            file=str(path),
            problem=(
                f"incomplete: {found['lines']} line(s) and {found['bytes']:,} bytes where the "
                f"run's {MANIFEST} records {entry.get('lines')} line(s) and "
                f"{entry.get('bytes', 0):,} bytes (the run was interrupted while writing its "
                "reports); run the evaluation again"
            ),
        )
