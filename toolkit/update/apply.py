"""Apply an update plan transactionally: stage, verify, then swap with a journal.

Nothing in the project changes until every new file is staged (inside ``.toolkit/``, so the
swap is a same-filesystem rename) and verified: the staged bytes are the planned ones, no
customer file changed since the plan, and every line the customer wrote survives in each
merged file. The swap then moves each original into a backup folder and each staged file into
place, under a journal; a failure rolls back, and a journal left by a killed process is
rolled back by the next `toolkit update`.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import UpdateError
from toolkit.scaffold.provenance import ANSWERS_FILE, hash_bytes, provenance_text
from toolkit.update.journal import BACKUP_DIR, JOURNAL_FILE, MANIFEST, Journal, rollback
from toolkit.update.plan import Outcome, UpdatePlan, plan_update
from toolkit.update.releases import TemplateShelf
from toolkit.update.survival import lost_lines

__all__ = ["UpdateResult", "apply_update", "recover", "revert_update", "update_project"]


@dataclass
class UpdateResult:
    """What `update_project` did.

    Attributes:
        plan: the plan (per-file outcomes, conflicts, versions).
        applied: False for a dry run or a no-op.
        backup_dir: where the files the update replaced or removed were kept.
        recovered: files restored from an earlier, interrupted update.
    """

    plan: UpdatePlan
    applied: bool = False
    backup_dir: Path | None = None
    recovered: list[str] = field(default_factory=list)


def recover(project_dir: Path) -> list[str]:
    """Roll back an interrupted update, if one is pending; return the files restored."""
    project = Path(project_dir).resolve()
    path = project / JOURNAL_FILE
    if not path.exists():
        return []
    restored = rollback(project, Journal.read(path))
    path.unlink()
    return restored


def revert_update(project_dir: Path) -> Journal:
    """Undo the project's most recent update from its backup folder.

    Returns:
        The record of the update undone (its versions and files).

    Raises:
        UpdateError: no completed update has a backup in the project.
    """
    project = Path(project_dir).resolve()
    recover(project)
    manifests = sorted((project / BACKUP_DIR).glob(f"update-*/{MANIFEST}"))
    if not manifests:
        raise UpdateError(
            problem=f"{project} has no backup of an update to revert",
            hint="Restore the files from version control instead.",
        )
    journal = Journal.read(manifests[-1])
    rollback(project, journal)
    return journal


def _inside(project: Path, rel: str) -> Path:
    path = project / rel
    if not path.parent.resolve().is_relative_to(project) or path.is_symlink():
        raise UpdateError(
            problem=f"{rel} is reached through a link out of the project (or is a link)",
            hint="Replace the link with a regular file or folder and run the update again.",
        )
    return path


def _current_hash(project: Path, rel: str) -> str | None:
    path = project / rel
    if path.is_symlink() or not path.is_file():
        return None
    return hash_bytes(path.read_bytes())


def _operations(plan: UpdatePlan) -> tuple[dict[str, bytes], set[str]]:
    writes: dict[str, bytes] = {}
    removes: set[str] = set()
    for change in plan.pending:
        if change.renamed_from:
            removes.add(change.renamed_from)
        if change.outcome is Outcome.REMOVED:
            removes.add(change.path)
        if change.content is not None:
            writes[change.path] = change.content
        if change.beside and change.beside_content is not None:
            writes[change.beside] = change.beside_content
    writes[ANSWERS_FILE.as_posix()] = provenance_text(plan.provenance).encode("utf-8")
    return writes, removes - set(writes)


def _check_unchanged(plan: UpdatePlan) -> None:
    for change in plan.pending:
        source = change.renamed_from or change.path
        if _current_hash(plan.project_dir, source) != change.current_hash:
            raise UpdateError(
                problem=f"{source} changed while the update was being prepared",
                hint="Nothing was changed; run `toolkit update` again.",
            )


def _stage(plan: UpdatePlan, staging: Path, writes: Mapping[str, bytes]) -> None:
    project = plan.project_dir
    for rel, data in writes.items():
        staged = staging / rel
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        original = project / rel
        if original.is_file() and not original.is_symlink():
            shutil.copymode(original, staged)
    # Verify what is on disk, not what was meant to be written.
    for rel, data in writes.items():
        if (staging / rel).read_bytes() != data:
            raise UpdateError(
                problem=f"the staged copy of {rel} differs from the plan",
                hint="Nothing was changed; check the disk and run the update again.",
            )
    for change in plan.pending:
        if change.outcome not in (Outcome.MERGED, Outcome.CONFLICTED):
            continue
        ours = (project / (change.renamed_from or change.path)).read_bytes()
        lost = lost_lines(change.base, ours, (staging / change.path).read_bytes())
        if lost:
            raise UpdateError(
                problem=f"the merged {change.path} lacks your line(s) {lost[:3]}",
                hint="Nothing was changed; please report this as a bug with the file.",
            )


def _swap(project: Path, staging: Path, journal: Journal, writes: Mapping[str, bytes]) -> None:
    backup = project / journal.backup
    for rel in journal.replaced:
        saved = backup / rel
        saved.parent.mkdir(parents=True, exist_ok=True)
        (project / rel).replace(saved)
    for rel in writes:
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / rel).replace(target)


def _abort(project: Path, journal: Journal) -> None:
    """Undo a swap that failed in this process (a killed process leaves it to `recover`)."""
    rollback(project, journal)
    (project / JOURNAL_FILE).unlink(missing_ok=True)


def apply_update(plan: UpdatePlan) -> UpdateResult:
    """Apply ``plan`` to its project: all of it, or (on any failure) none of it.

    Raises:
        UpdateError: a customer file changed since the plan, a path leaves the project, or
            verification failed; the project is unchanged.
    """
    result = UpdateResult(plan=plan, recovered=recover(plan.project_dir))
    if plan.is_noop:
        return result
    project = plan.project_dir
    writes, removes = _operations(plan)
    for rel in [*writes, *removes]:
        _inside(project, rel)
    _check_unchanged(plan)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{os.getpid()}"
    staging = project / ".toolkit" / f"update-staging-{stamp}"
    journal = Journal(
        backup=(BACKUP_DIR / f"update-{stamp}").as_posix(),
        from_version=plan.from_version,
        to_version=plan.to_version,
    )
    try:
        _stage(plan, staging, writes)
        for rel in sorted({*writes, *removes}):
            target = project / rel
            if target.is_file() or target.is_symlink():
                journal.replaced.append(rel)
            else:
                journal.created.append(rel)
        journal.write(project / JOURNAL_FILE)
        try:
            _swap(project, staging, journal, writes)
            journal.write(project / journal.backup / MANIFEST)
        except BaseException:
            _abort(project, journal)
            raise
        (project / JOURNAL_FILE).unlink()  # the commit point
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.applied = True
    result.backup_dir = project / journal.backup
    return result


def update_project(
    project_dir: Path,
    to_version: str | None = None,
    *,
    provided: Mapping[str, object] | None = None,
    dry_run: bool = False,
    shelf: TemplateShelf | None = None,
) -> UpdateResult:
    """Update a generated project to a newer template version (`toolkit update`).

    An update interrupted earlier is rolled back first. With ``dry_run`` the plan is
    returned and nothing is written.

    Args:
        project_dir: the generated project.
        to_version: the template version to move to; the newest available by default.
        provided: answers to change or add.
        dry_run: plan only.
        shelf: where template versions come from (the installed ones by default).
    """
    project = Path(project_dir).resolve()
    recovered = [] if dry_run else recover(project)
    plan = plan_update(project, to_version, provided=provided, shelf=shelf)
    if dry_run:
        return UpdateResult(plan=plan)
    result = apply_update(plan)
    result.recovered = recovered + result.recovered
    return result
