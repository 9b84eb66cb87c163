"""Three-way merge of file contents with libgit2 (pygit2), no git binary needed.

All the files of one update are merged in one pass: each file's base, customer and new
versions go into three trees of a throwaway repository under synthetic names (so no path,
``.gitattributes`` or filter of the project can influence the merge), libgit2 merges the
trees, clean results are read from the merged index and conflicted files are checked out
with diff3-style markers (base section included), relabelled for the customer.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MergeInput", "MergeResult", "is_binary", "merge_many"]

_SNIFF = 8000
# libgit2 labels a side by its path ("ours", "theirs", "ancestor") or not at all.
_MARKER = re.compile(rb"(<{7}|\|{7}|>{7})(?: (?:ours|theirs|ancestor|f\d{6}))?\r?")


def is_binary(data: bytes) -> bool:
    """True when ``data`` is not text: a NUL byte in its first 8 KB, or not UTF-8."""
    if b"\x00" in data[:_SNIFF]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


@dataclass(frozen=True)
class MergeInput:
    """One file's three versions; ``base`` is ``None`` when both sides added the file."""

    base: bytes | None
    ours: bytes
    theirs: bytes


@dataclass(frozen=True)
class MergeResult:
    """The merged content and the number of conflict blocks written into it."""

    content: bytes
    conflicts: int


def _labels(content: bytes, ours: str, base: str, theirs: str) -> tuple[bytes, int]:
    lines = content.split(b"\n")
    conflicts = 0
    for i, line in enumerate(lines):
        marker = _MARKER.fullmatch(line)
        if marker is None:
            continue
        kind, eol = marker.group(1)[:1], b"\r" if line.endswith(b"\r") else b""
        if kind == b"<":
            lines[i] = b"<<<<<<< " + ours.encode() + eol
            conflicts += 1
        elif kind == b"|":
            lines[i] = b"||||||| " + base.encode() + eol
        else:
            lines[i] = b">>>>>>> " + theirs.encode() + eol
    return b"\n".join(lines), conflicts


def merge_many(
    inputs: Mapping[str, MergeInput],
    *,
    ours_label: str = "yours",
    base_label: str = "base",
    theirs_label: str = "template",
) -> dict[str, MergeResult]:
    """Merge every file of ``inputs`` (keyed by any name) at the hunk level.

    Args:
        inputs: the three versions of each text file.
        ours_label: the label of the customer's section in conflict blocks.
        base_label: the label of the base section.
        theirs_label: the label of the new template's section.

    Returns:
        Each key's merged content; conflicts are written inline (diff3 style).
    """
    import pygit2
    from pygit2.enums import CheckoutStrategy, FileMode, MergeFileFlag, MergeFlag

    if not inputs:
        return {}
    scratch = Path(tempfile.mkdtemp(prefix="toolkit-merge-"))
    try:
        repo = pygit2.init_repository(str(scratch / "repo"), bare=True)
        names = {key: f"f{i:06d}" for i, key in enumerate(inputs)}
        trees = []
        for side in ("base", "ours", "theirs"):
            index = pygit2.Index()
            for key, item in inputs.items():
                data = getattr(item, side)
                if data is not None:
                    blob = repo.create_blob(data)
                    index.add(pygit2.IndexEntry(names[key], blob, FileMode.BLOB))
            trees.append(index.write_tree(repo))
        merged = repo.merge_trees(
            trees[0],
            trees[1],
            trees[2],
            flags=MergeFlag(0),
            file_flags=MergeFileFlag.STYLE_DIFF3,
        )
        conflicted = set()
        if merged.conflicts is not None:
            for entries in merged.conflicts:
                conflicted.add(next(e.path for e in entries if e is not None))
        out = scratch / "out"
        if conflicted:
            out.mkdir()
            repo.checkout_index(  # type: ignore[no-untyped-call]
                merged,
                directory=str(out),
                paths=sorted(conflicted),
                strategy=CheckoutStrategy.FORCE
                | CheckoutStrategy.ALLOW_CONFLICTS
                | CheckoutStrategy.CONFLICT_STYLE_DIFF3
                | CheckoutStrategy.DONT_UPDATE_INDEX,
            )
        results: dict[str, MergeResult] = {}
        for key, name in names.items():
            if name in conflicted:
                text, count = _labels(
                    (out / name).read_bytes(), ours_label, base_label, theirs_label
                )
                results[key] = MergeResult(text, max(count, 1))
            else:
                stored = repo.get(merged[name].id)
                assert isinstance(stored, pygit2.Blob)
                results[key] = MergeResult(bytes(stored.data), 0)
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
