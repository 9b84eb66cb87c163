"""The folder `toolkit new -o` creates a project in: made ready, or refused with a reason."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from toolkit.errors import OutputFolderError

__all__ = ["prepare_output_dir"]

# Kernel and device filesystems: nothing there can hold a project, whatever the permissions.
_VIRTUAL_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))
_LOOP = "is, or lies under, a symbolic link that loops (it points back to itself)"


def _under_virtual_root(path: Path) -> bool:
    return any(path == root or root in path.parents for root in _VIRTUAL_ROOTS)


def _problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return _LOOP
    if exc.errno == errno.EEXIST or isinstance(exc, FileExistsError):
        if path.is_symlink():
            try:
                path.stat()
            except OSError as target_exc:
                if target_exc.errno == errno.ELOOP:
                    return _LOOP
            return f"is a symbolic link to {path.readlink()}, which does not exist"
        return "exists and is a file, not a folder"
    if exc.errno == errno.ENOTDIR:
        return "lies under a file (a part of the path is not a folder)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot be written ({exc.strerror})"
    return f"cannot be used ({exc.strerror or exc})"


def prepare_output_dir(output_dir: Path) -> Path:
    """Create ``output_dir`` if needed and return it resolved.

    Raises:
        OutputFolderError: a file, under a file, a dangling or looping link, in
            ``/proc``-like filesystems, or not writable; names the folder.
    """
    path = output_dir.expanduser()
    if _under_virtual_root(Path(os.path.normpath(path.absolute()))):
        raise OutputFolderError(
            path=str(output_dir), problem="is inside a kernel or device filesystem"
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        root = path.resolve(strict=True)
    except OSError as exc:
        raise OutputFolderError(path=str(output_dir), problem=_problem(path, exc)) from exc
    except RuntimeError as exc:  # Path.resolve on a symlink loop (Python 3.11)
        raise OutputFolderError(path=str(output_dir), problem=_LOOP) from exc
    if _under_virtual_root(root):
        raise OutputFolderError(
            path=str(output_dir), problem=f"leads to {root}, a kernel or device filesystem"
        )
    if not root.is_dir():
        raise OutputFolderError(path=str(output_dir), problem="is not a folder")
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputFolderError(path=str(output_dir), problem="cannot be written (permission)")
    return root
