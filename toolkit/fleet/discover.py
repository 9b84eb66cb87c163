"""Find generated projects under some folders: each one holds a provenance record.

A project is a folder holding ``.toolkit/answers.yaml`` (written by `toolkit new`); the walk
does not descend into a project (projects do not nest, and their stores and reports are
large). Symbolic links to folders are followed once: a link back to a folder on its own
path is a loop and is reported, a second way into a folder already walked is skipped.
Folders that cannot be listed are reported; nothing stops the walk.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["PROVENANCE_FILE", "Discovery", "ScanProblem", "find_projects"]

PROVENANCE_FILE = Path(".toolkit") / "answers.yaml"
"""Where a generated project records its template, version and answers."""

# Folders that hold tooling state, never a project worth listing.
_SKIP = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})

ProblemKind = Literal["missing-root", "symlink-loop", "unreadable"]


@dataclass(frozen=True)
class ScanProblem:
    """A folder the scan could not look into, and why."""

    path: str
    kind: ProblemKind
    detail: str


@dataclass
class Discovery:
    """The projects found, in a stable order, and the folders that could not be walked."""

    projects: list[Path] = field(default_factory=list)
    problems: list[ScanProblem] = field(default_factory=list)


def _is_project(folder: Path) -> bool:
    return (folder / PROVENANCE_FILE).is_file()


def find_projects(
    roots: Iterable[Path], *, on_folder: Callable[[int], None] | None = None
) -> Discovery:
    """Walk ``roots`` for generated projects.

    Args:
        roots: Folders to search (a root may itself be a project).
        on_folder: Called with the number of folders visited so far (progress).

    Returns:
        The projects (sorted by path, each once) and the problems met.
    """
    found = Discovery()
    seen: set[tuple[int, int]] = set()
    visited = 0
    for root in roots:
        root = Path(root)
        try:
            info = root.stat()
        except OSError as exc:
            found.problems.append(
                ScanProblem(str(root), "missing-root", exc.strerror or "cannot be read")
            )
            continue
        if not root.is_dir():
            found.problems.append(ScanProblem(str(root), "missing-root", "is not a folder"))
            continue
        # Each stack entry carries the identities of the folders on its path, to tell a
        # loop (a link to an ancestor) from a second way into a folder already walked.
        stack: list[tuple[Path, frozenset[tuple[int, int]]]] = []
        identity = (info.st_dev, info.st_ino)
        if identity not in seen:
            seen.add(identity)
            stack.append((root, frozenset({identity})))
        while stack:
            folder, ancestors = stack.pop()
            visited += 1
            if on_folder is not None:
                on_folder(visited)
            if _is_project(folder):
                found.projects.append(folder)
                continue
            try:
                with os.scandir(folder) as entries:
                    children = sorted(
                        (e for e in entries if _walkable(e)), key=lambda e: e.name, reverse=True
                    )
            except OSError as exc:
                found.problems.append(
                    ScanProblem(str(folder), "unreadable", exc.strerror or type(exc).__name__)
                )
                continue
            for entry in children:
                try:
                    child_info = entry.stat(follow_symlinks=True)
                except OSError as exc:
                    kind: ProblemKind = "symlink-loop" if exc.errno == errno.ELOOP else "unreadable"
                    found.problems.append(
                        ScanProblem(entry.path, kind, exc.strerror or type(exc).__name__)
                    )
                    continue
                child = (child_info.st_dev, child_info.st_ino)
                if child in ancestors:
                    target = os.path.realpath(entry.path)
                    found.problems.append(
                        ScanProblem(entry.path, "symlink-loop", f"links back to {target}")
                    )
                    continue
                if child in seen:
                    continue
                seen.add(child)
                stack.append((Path(entry.path), ancestors | {child}))
    found.projects.sort()
    return found


def _walkable(entry: os.DirEntry[str]) -> bool:
    if entry.name.startswith(".") or entry.name in _SKIP:
        return False
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return True  # let the stat in the walk report it
