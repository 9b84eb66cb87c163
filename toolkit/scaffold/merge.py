"""`toolkit new --force`: update an existing project as one transaction.

Three phases, and only the last one writes into the project:

1. **Plan** (reads only): every target path and every folder on the way to it,
   and ``.toolkit/backup``, must be a real file or folder inside the project,
   never a symbolic link. Any refusal happens here, so a refused update has
   changed nothing.
2. **Stage**: copies of the files about to be replaced go to a backup folder
   inside the private staging folder (same filesystem as the project).
3. **Swap**: each file is moved into place with an atomic rename, then the staged
   backup folder is renamed to ``.toolkit/backup/<stamp>``. If a rename fails
   midway, the files already swapped are restored from the staged copies and the
   new ones removed, so the project is left as it was.

Nothing the user created is ever deleted.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import RenderError

__all__ = ["BACKUP_DIR", "MergePlan", "apply_merge", "plan_merge"]

#: Where changed files are backed up, relative to the project root.
BACKUP_DIR = Path(".toolkit") / "backup"


@dataclass
class MergePlan:
    """What a forced update will do; built without writing anything."""

    target: Path
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)


def _refuse(template: str, problem: str) -> RenderError:
    return RenderError(template=template, problem=problem)


def _check_chain(target: Path, rel: Path, template: str) -> None:
    """Refuse a symlink (or a file where a folder must be) on the way to ``target/rel``."""
    current = target
    for depth, part in enumerate(rel.parts, start=1):
        current = current / part
        try:
            mode = current.lstat().st_mode
        except FileNotFoundError:
            return  # the rest of the path will be created
        if stat.S_ISLNK(mode):
            raise _refuse(
                template,
                f"{current} is a symbolic link (a link out of the project is never written "
                "through); remove it or replace it with a real folder or file",
            )
        last = depth == len(rel.parts)
        if not last and not stat.S_ISDIR(mode):
            raise _refuse(template, f"{current} is a file where the template has a folder")
        if last and stat.S_ISDIR(mode):
            raise _refuse(template, f"{current} is a folder, the template has a file")
        if last and not stat.S_ISREG(mode):
            raise _refuse(template, f"{current} is not a regular file; remove it first")


def plan_merge(staged: Path, target: Path, files: list[Path], *, template: str) -> MergePlan:
    """Decide, without writing, which files a forced update creates and replaces.

    Raises:
        RenderError: a link or a type clash on the way; nothing was changed.
    """
    _check_chain(target, BACKUP_DIR / "x", template)  # never follow a linked backup folder
    plan = MergePlan(target=target)
    for rel in files:
        _check_chain(target, rel, template)
        dest = target / rel
        if not dest.exists():
            plan.created.append(rel)
        elif not filecmp.cmp(staged / rel, dest, shallow=False):
            plan.updated.append(rel)
    return plan


def _backup_name(target: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate, n = target / BACKUP_DIR / stamp, 1
    while os.path.lexists(candidate):
        n += 1
        candidate = target / BACKUP_DIR / f"{stamp}-{n}"
    return candidate


def _make_dirs(target: Path, rel: Path, made: list[Path]) -> None:
    """Create the folders of ``target/rel`` one by one, refusing any that is a link."""
    current = target
    for part in rel.parts:
        current = current / part
        try:
            current.mkdir()
            made.append(current)
        except FileExistsError:
            if current.is_symlink() or not current.is_dir():
                raise _refuse(
                    "?", f"{current} changed into a link or a file during the update"
                ) from None


def apply_merge(plan: MergePlan, staged: Path, work: Path) -> Path | None:
    """Stage backups in ``work``, swap the staged files in, and keep the backups.

    Args:
        plan: from `plan_merge`.
        staged: the rendered project (the files to move into place).
        work: a scratch folder on the project's filesystem (the staging folder).

    Returns:
        The backup folder inside the project, or None when no file was replaced.

    Raises:
        RenderError: a file could not be swapped; the project was restored.
    """
    target = plan.target
    backup_stage = work / "backup"
    for rel in plan.updated:
        (backup_stage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target / rel, backup_stage / rel)
    swapped: list[Path] = []
    made: list[Path] = []
    backup_dir = _backup_name(target) if plan.updated else None
    try:
        for rel in [*plan.updated, *plan.created]:
            _make_dirs(target, rel.parent, made)
            (staged / rel).replace(target / rel)
            swapped.append(rel)
        if backup_dir is not None:
            _make_dirs(target, backup_dir.parent.relative_to(target), made)
            backup_stage.rename(backup_dir)
    except (OSError, RenderError) as exc:
        _roll_back(target, swapped, set(plan.updated), backup_stage, made)
        if isinstance(exc, RenderError):
            raise
        raise _refuse(
            "?", f"updating {target} failed ({exc.strerror or exc}); every file was restored"
        ) from exc
    return backup_dir


def _roll_back(
    target: Path, swapped: list[Path], updated: set[Path], backup_stage: Path, made: list[Path]
) -> None:
    for rel in reversed(swapped):
        if rel in updated:
            shutil.copy2(backup_stage / rel, target / rel)
        else:
            (target / rel).unlink(missing_ok=True)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            continue  # not empty: it holds something that was there before
