"""Plan an update: what happens to each file when a project moves to a newer template.

`plan_update` has no side effects on the project: it renders the base (the recorded
template version with the recorded answers) and the new version (same answers, plus any new
question's derived answer) into a private scratch folder, reads the customer's files, and
decides each file's outcome; merged contents are computed in memory. `toolkit update` applies
a plan; `toolkit fleet scan` reads one to say whether an update would conflict.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from toolkit import __version__
from toolkit.errors import RenderError, ToolkitError, UpdateError
from toolkit.scaffold import TemplateInfo, build_context, render_project, resolve_answers
from toolkit.scaffold.provenance import (
    ANSWERS_FILE,
    Provenance,
    hash_bytes,
    read_provenance,
)
from toolkit.update.journal import JOURNAL_FILE
from toolkit.update.merge import MergeInput, is_binary, merge_many
from toolkit.update.releases import TemplateShelf, _version_key
from toolkit.update.survival import lost_lines

__all__ = ["FileChange", "Outcome", "UpdatePlan", "plan_update"]

_PRIVATE = ANSWERS_FILE.parts[0]  # .toolkit/: provenance, backups, staging


class Outcome(StrEnum):
    """What an update does to one file."""

    UNCHANGED = "unchanged"
    """Nothing to do: the file already is what the new template would write, or neither side
    changed it."""
    TAKEN = "taken"
    """The customer never touched it (or it is new): the new template's version is written."""
    KEPT = "kept"
    """Only the customer changed it: the customer's file stays as it is."""
    MERGED = "merged"
    """Both changed it: the hunks merged cleanly."""
    CONFLICTED = "conflicted"
    """Both changed the same lines: conflict blocks (yours, base, template) are written."""
    BINARY = "binary"
    """A binary file both changed: the customer's stays, the new one is written beside it."""
    REMOVED = "removed"
    """The template dropped it and the customer never touched it: it is deleted."""
    KEPT_DROPPED = "kept_dropped"
    """The template dropped it but the customer changed it: it is kept."""
    DELETED = "deleted"
    """The customer deleted it: it stays deleted."""


_WRITES = frozenset({Outcome.TAKEN, Outcome.MERGED, Outcome.CONFLICTED})


@dataclass
class FileChange:
    """One file's outcome.

    Attributes:
        path: the file's path in the project after the update (POSIX, relative).
        outcome: what happens to it.
        renamed_from: the path it had before, when the template declared a rename.
        content: the bytes written at ``path`` (``None`` when nothing is written there).
        beside: for binary files, where the new template's version is written.
        beside_content: the bytes written at ``beside``.
        conflicts: the number of conflict blocks written into the file.
        note: a human explanation, e.g. why a dropped file is kept.
        current_hash: the hash of the customer's file when planned (``None``: absent).
    """

    path: str
    outcome: Outcome
    renamed_from: str | None = None
    content: bytes | None = field(default=None, repr=False)
    beside: str | None = None
    beside_content: bytes | None = field(default=None, repr=False)
    conflicts: int = 0
    note: str = ""
    current_hash: str | None = None
    base: bytes | None = field(default=None, repr=False)
    new: bytes | None = field(default=None, repr=False)

    @property
    def changes_project(self) -> bool:
        """True when applying this change touches the project."""
        return (
            self.outcome in _WRITES
            or self.outcome in (Outcome.REMOVED, Outcome.BINARY)
            or self.renamed_from is not None
        )

    def to_json(self) -> dict[str, Any]:
        """The change as JSON-ready data (no file contents)."""
        data: dict[str, Any] = {"path": self.path, "outcome": str(self.outcome)}
        if self.renamed_from:
            data["renamed_from"] = self.renamed_from
        if self.beside:
            data["beside"] = self.beside
        if self.conflicts:
            data["conflicts"] = self.conflicts
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class UpdatePlan:
    """Everything an update would do, computed without touching the project.

    Attributes:
        project_dir: the project.
        template: the template's name.
        from_version: the version the project was generated from (or last updated to).
        to_version: the version it moves to.
        changes: one entry per template file, sorted by path.
        provenance: the record written to ``.toolkit/answers.yaml`` after the update.
        new_answers: answers the new template asks that the project had none for, derived.
        dropped_answers: recorded answers the new template no longer asks.
        base_drift: files whose rebuilt base differs from the hash recorded at generation
            (the template was changed without a version bump); merged against the rebuilt
            base, and the customer's edits are still detected by the recorded hash.
    """

    project_dir: Path
    template: str
    from_version: str
    to_version: str
    changes: list[FileChange]
    provenance: Provenance
    new_answers: dict[str, Any] = field(default_factory=dict)
    dropped_answers: list[str] = field(default_factory=list)
    base_drift: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[str]:
        """Paths that would get conflict blocks."""
        return [c.path for c in self.changes if c.outcome is Outcome.CONFLICTED]

    @property
    def pending(self) -> list[FileChange]:
        """The changes that touch the project."""
        return [c for c in self.changes if c.changes_project]

    @property
    def is_noop(self) -> bool:
        """True when applying the plan would change nothing (files or provenance)."""
        if self.pending:
            return False
        try:
            current = read_provenance(self.project_dir)
        except ToolkitError:  # an unreadable record is rewritten by the update
            return False
        return current.to_record() == self.provenance.to_record()

    def counts(self) -> dict[str, int]:
        """How many files got each outcome."""
        counts = {str(o): 0 for o in Outcome}
        for change in self.changes:
            counts[str(change.outcome)] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data, the machine form of the update report."""
        return {
            "project": str(self.project_dir),
            "template": self.template,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "noop": self.is_noop,
            "counts": self.counts(),
            "conflicts": self.conflicts,
            "new_answers": self.new_answers,
            "dropped_answers": self.dropped_answers,
            "base_drift": self.base_drift,
            "files": [c.to_json() for c in self.changes if c.outcome is not Outcome.UNCHANGED],
        }


def _read_tree(root: Path) -> dict[str, bytes]:
    files = {}
    for entry in sorted(root.rglob("*")):
        rel = entry.relative_to(root)
        if rel.parts[0] == _PRIVATE or not entry.is_file():
            continue
        files[rel.as_posix()] = entry.read_bytes()
    return files


def _render(template: TemplateInfo, answers: Any, scratch: Path) -> dict[str, bytes]:
    out = scratch / f"render-{template.version}-{len(list(scratch.iterdir()))}"
    result = render_project(template, answers, out)
    return _read_tree(result.project_dir)


def _current(project: Path, rel: str) -> bytes | None:
    path = project / rel
    if path.is_symlink() or not path.is_file():
        return None
    return path.read_bytes()


def _occupied(project: Path, rel: str) -> bool:
    path = project / rel
    return path.is_symlink() or path.exists()


def _safe_path(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return bool(parts) and not PurePosixPath(rel).is_absolute() and ".." not in parts


def _renames(template: TemplateInfo, answers: Any) -> dict[str, str]:
    """The template's declared renames (``_toolkit.renames``), rendered with the answers."""
    declared = template.context.get("_toolkit", {}).get("renames") or {}
    if not isinstance(declared, Mapping):
        raise UpdateError(
            problem=f"template {template.name!r}: _toolkit.renames must map old to new paths",
            hint="Fix cookiecutter.json.",
        )
    from cookiecutter.environment import StrictEnvironment

    context = build_context(template, answers)
    env = StrictEnvironment(context=context)
    renames = {}
    for old, new in declared.items():
        old_path = env.from_string(str(old)).render(**context)
        new_path = env.from_string(str(new)).render(**context)
        if not (_safe_path(old_path) and _safe_path(new_path)):
            raise UpdateError(
                problem=f"template {template.name!r}: rename {old!r} -> {new!r} leaves the project",
                hint="Fix _toolkit.renames in cookiecutter.json.",
            )
        renames[old_path] = new_path
    return renames


def _answers(
    recorded: Mapping[str, Any], new: TemplateInfo, provided: Mapping[str, object]
) -> tuple[Any, dict[str, Any], list[str]]:
    asked = new.variables
    kept = {k: v for k, v in recorded.items() if k in asked}
    dropped = sorted(set(recorded) - set(asked))
    answers = resolve_answers(new, {**kept, **provided})
    derived = {
        k: v for k, v in answers.model_dump().items() if k not in recorded and k not in provided
    }
    return answers, derived, dropped


def plan_update(
    project_dir: Path,
    to_version: str | None = None,
    *,
    provided: Mapping[str, object] | None = None,
    shelf: TemplateShelf | None = None,
) -> UpdatePlan:
    """Plan the update of a generated project to a template version, changing nothing.

    The three versions of each file are the base (the recorded template version rendered
    with the recorded answers), the customer's file, and the new version (rendered with the
    same answers, ``provided`` overriding them; a question the project never answered takes
    its derived default). A file the customer never touched takes the new version; one the
    template did not change keeps the customer's; one both changed is merged at the hunk
    level with conflicts written inline. Deleted files stay deleted, a dropped file the
    customer edited is kept, binary files are never merged, and renames declared by the
    template (``_toolkit.renames`` in ``cookiecutter.json``) move the customer's file.

    ``plan.conflicts`` lists the files an update would leave with conflict blocks, which is
    what `toolkit fleet scan` reports.

    Args:
        project_dir: the generated project (holding ``.toolkit/answers.yaml``).
        to_version: the template version to move to; the newest available by default.
        provided: answers to change or add (``--set``, ``--answers-file``).
        shelf: where template versions come from (the installed ones by default).

    Returns:
        The plan; apply it with `apply_update`.

    Raises:
        ConfigError: the project's provenance record is missing or malformed.
        UpdateError: the version is unavailable or older than the project's, an interrupted
            update is pending, or a merge would lose a customer line.
    """
    project = Path(project_dir).resolve()
    if (project / JOURNAL_FILE).exists():
        raise UpdateError(
            problem=f"an earlier update of {project} was interrupted",
            hint="Run `toolkit update` on it again: it rolls the interrupted update back first.",
        )
    record = read_provenance(project)
    shelf = shelf or TemplateShelf()
    target = to_version or shelf.versions(record.template)[-1]
    if _version_key(target) < _version_key(record.template_version):
        raise UpdateError(
            problem=(
                f"the project is at {record.template} {record.template_version}, newer than "
                f"{target}"
            ),
            hint="Downgrades are not supported; pick a newer version with --to.",
        )
    scratch = Path(tempfile.mkdtemp(prefix="toolkit-update-"))
    try:
        old_template = shelf.checkout(record.template, record.template_version, scratch)
        new_template = shelf.checkout(record.template, target, scratch)
        try:
            old_answers = resolve_answers(old_template, record.answers)
        except Exception as exc:
            raise UpdateError(
                problem=f"the recorded answers in {ANSWERS_FILE} do not fit the template: {exc}",
                hint="Restore .toolkit/answers.yaml from version control.",
            ) from exc
        new_answers, derived, dropped = _answers(record.answers, new_template, provided or {})
        try:
            base = _render(old_template, old_answers, scratch)
            same = old_template.path == new_template.path and old_answers == new_answers
            new = base if same else _render(new_template, new_answers, scratch)
        except RenderError as exc:
            raise UpdateError(problem=str(exc)) from exc
        renames = _renames(new_template, new_answers)
        changes = _decide(project, base, new, renames, record.files)
        drift = sorted(
            p
            for p, data in base.items()
            if p in record.files and record.files[p] != hash_bytes(data)
        )
        _merge(changes, old_template.version, new_template.version)
        provenance = Provenance(
            template=record.template,
            template_version=new_template.version,
            toolkit_version=__version__,
            answers=new_answers.model_dump(),
            files={p: hash_bytes(data) for p, data in new.items()},
        )
        return UpdatePlan(
            project_dir=project,
            template=record.template,
            from_version=record.template_version,
            to_version=new_template.version,
            changes=sorted(changes, key=lambda c: c.path),
            provenance=provenance,
            new_answers=derived,
            dropped_answers=dropped,
            base_drift=drift,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _decide(
    project: Path,
    base: dict[str, bytes],
    new: dict[str, bytes],
    renames: Mapping[str, str],
    recorded: Mapping[str, str],
) -> list[FileChange]:
    moved: dict[str, str] = {}  # new path -> old path
    for old, target in renames.items():
        declared = old in base and old not in new and target in new and target not in base
        if declared and not _occupied(project, target):
            moved[target] = old
    changes = []
    for path in sorted(set(base) | set(new)):
        if path in moved.values():
            continue  # handled under its new name
        source = moved.get(path, path)
        b = base.get(source)
        n = new.get(path)
        if _occupied(project, source) and _current(project, source) is None:
            changes.append(
                FileChange(path, Outcome.KEPT, note="not a regular file in the project; left alone")
            )
            continue
        c = _current(project, source)
        change = FileChange(
            path,
            Outcome.UNCHANGED,
            renamed_from=source if source != path else None,
            current_hash=hash_bytes(c) if c is not None else None,
            base=b,
            new=n,
        )
        # The hash recorded at generation is the surest sign the customer never touched it.
        untouched = c is not None and (
            c == b or (source in recorded and recorded[source] == change.current_hash)
        )
        if c is None:
            if b is None and n is not None:
                change.outcome, change.content = Outcome.TAKEN, n
                change.note = "new in the template"
            elif b is not None:
                change.outcome = Outcome.DELETED
                change.renamed_from = None
                change.note = "you deleted it; it stays deleted"
        elif n is None:
            if untouched:
                change.outcome = Outcome.REMOVED
            else:
                change.outcome = Outcome.KEPT_DROPPED
                change.note = "the template dropped it; kept because you changed it"
        elif c == n:
            change.outcome = Outcome.UNCHANGED
        elif untouched:
            change.outcome, change.content = Outcome.TAKEN, n
        elif b is not None and n == b:
            change.outcome = Outcome.KEPT
        elif is_binary(c) or is_binary(n) or (b is not None and is_binary(b)):
            change.outcome = Outcome.BINARY
            change.beside, change.beside_content = f"{path}.new", n
            change.note = f"binary: yours kept, the template's written to {path}.new"
        else:
            change.outcome = Outcome.MERGED  # provisional: _merge decides
            change.content = c
        if change.renamed_from and change.content is None and c is not None:
            change.content = c  # a moved file is written under its new name
        changes.append(change)
    return changes


def _merge(changes: list[FileChange], old_version: str, new_version: str) -> None:
    """Merge every file both sides changed, in one pass, and check no customer line is lost."""
    pending = {c.path: c for c in changes if c.outcome is Outcome.MERGED}
    inputs = {}
    for path, change in pending.items():
        assert change.content is not None and change.new is not None
        inputs[path] = MergeInput(change.base, change.content, change.new)
    results = merge_many(
        inputs,
        ours_label="yours",
        base_label=f"base (template {old_version})",
        theirs_label=f"template {new_version}",
    )
    for path, change in pending.items():
        result = results[path]
        lost = lost_lines(change.base, inputs[path].ours, result.content)
        if lost:
            raise UpdateError(
                problem=f"merging {path} would lose your line(s) {lost[:3]}",
                hint="Nothing was changed; please report this as a bug with the file.",
            )
        change.content = result.content
        if result.conflicts:
            change.outcome, change.conflicts = Outcome.CONFLICTED, result.conflicts
