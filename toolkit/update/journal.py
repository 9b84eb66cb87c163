"""The update journal: what a swap has done, so an interrupted update can be undone.

Before the first file of a project is touched, the journal lists every path the swap will
replace, create or remove, and where each original is backed up. It is written whole
(temporary file, then rename) and removed once the swap completes: its presence means an
update stopped halfway, and `rollback` puts every original back. The same record, kept in the
backup folder, lets `revert_update` undo a completed update.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import UpdateError

__all__ = ["BACKUP_DIR", "JOURNAL_FILE", "Journal", "rollback"]

JOURNAL_FILE = Path(".toolkit") / "update-journal.json"
BACKUP_DIR = Path(".toolkit") / "backup"
MANIFEST = "update.json"


@dataclass
class Journal:
    """One update's swap.

    Attributes:
        backup: the backup folder, relative to the project.
        replaced: paths whose original was moved into the backup folder (replaced or
            removed by the update).
        created: paths that did not exist before the update.
        from_version: the template version before the update.
        to_version: the template version after it.
    """

    backup: str
    replaced: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    from_version: str = ""
    to_version: str = ""

    def to_json(self) -> dict[str, Any]:
        """The record as JSON data."""
        return {
            "backup": self.backup,
            "replaced": self.replaced,
            "created": self.created,
            "from_version": self.from_version,
            "to_version": self.to_version,
        }

    @classmethod
    def read(cls, path: Path) -> Journal:
        """Read a journal or backup manifest.

        Raises:
            UpdateError: the record is unreadable.
        """
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                backup=str(data["backup"]),
                replaced=[str(p) for p in data["replaced"]],
                created=[str(p) for p in data["created"]],
                from_version=str(data.get("from_version", "")),
                to_version=str(data.get("to_version", "")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UpdateError(
                problem=f"{path} is unreadable ({exc})",
                hint="Restore the project from version control.",
            ) from exc

    def write(self, path: Path) -> None:
        """Write the record whole or not at all."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".journal-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.to_json(), handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def rollback(project: Path, journal: Journal) -> list[str]:
    """Put back every original the journal lists; return the paths restored or removed.

    Idempotent: a rollback interrupted in turn can be run again.
    """
    touched = []
    backup = project / journal.backup
    for rel in journal.created:
        path = project / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
            touched.append(rel)
    for rel in journal.replaced:
        saved = backup / rel
        if saved.is_file() or saved.is_symlink():
            path = project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            saved.replace(path)
            touched.append(rel)
    shutil.rmtree(backup, ignore_errors=True)
    return sorted(set(touched))
