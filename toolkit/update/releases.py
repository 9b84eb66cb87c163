"""Released template versions: the current one in the catalog, older ones as archives.

`toolkit update` rebuilds a project's merge base by rendering the template version the
project was generated from with its recorded answers, so every released version must stay
available offline. The catalog holds the current version of each template; each older
release is one archive, ``templates/_releases/<name>-<version>.tar.gz`` (shipped in the
wheel as ``toolkit/_templates/_releases``), frozen with `freeze_release` before the
template's version is bumped. Archives are deterministic (sorted entries, zeroed times and
owners) and self-contained (the shared partials are copied in, not linked).
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
from pathlib import Path

from toolkit.errors import TemplateError, UpdateError
from toolkit.scaffold import TemplateInfo, get_template, template_at, templates_root

__all__ = ["RELEASES_DIR", "TemplateShelf", "freeze_release"]

RELEASES_DIR = "_releases"
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]*")
_SKIP = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _archive_name(name: str, version: str) -> str:
    return f"{name}-{version}.tar.gz"


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.+-]", version))


def _normalize(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    if set(Path(info.name).parts) & _SKIP:
        return None
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
    return info


def freeze_release(template: TemplateInfo, releases_root: Path | None = None) -> Path:
    """Archive ``template`` (its current files) as the release of its version.

    Call this before bumping a template's version in ``cookiecutter.json``, so projects
    generated from the version being replaced keep a merge base.

    Args:
        template: the template folder to freeze (links, such as the shared partials, are
            copied in).
        releases_root: where the archives live; the catalog's ``_releases`` by default.

    Returns:
        The archive written.
    """
    root = releases_root or templates_root() / RELEASES_DIR
    root.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", dereference=True, format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.add(template.path, arcname=template.name, filter=_normalize)
    target = root / _archive_name(template.name, template.version)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(target)
    return target


class TemplateShelf:
    """Every available version of every template: the catalog's current ones and archives.

    Args:
        current_root: the folder of current templates (the catalog's by default).
        releases_root: the folder of release archives (``<current_root>/_releases``).
    """

    def __init__(self, current_root: Path | None = None, releases_root: Path | None = None):
        self.current_root = current_root
        self.releases_root = releases_root or (current_root or templates_root()) / RELEASES_DIR

    def current(self, name: str) -> TemplateInfo:
        """The current version of template ``name``."""
        if self.current_root is None:
            return get_template(name)
        folder = self.current_root / name
        if not (folder / "cookiecutter.json").is_file():
            raise UpdateError(
                problem=f"no template named {name!r} in {self.current_root}",
                hint="Install the toolkit release that provides it.",
            )
        return template_at(folder)

    def versions(self, name: str) -> list[str]:
        """The versions of ``name`` available, oldest first."""
        found = {self.current(name).version}
        prefix = f"{name}-"
        if self.releases_root.is_dir():
            for archive in self.releases_root.glob(f"{name}-*.tar.gz"):
                version = archive.name[len(prefix) : -len(".tar.gz")]
                if _VERSION.fullmatch(version):
                    found.add(version)
        return sorted(found, key=_version_key)

    def checkout(self, name: str, version: str, scratch: Path) -> TemplateInfo:
        """The template ``name`` at ``version``, extracted under ``scratch`` if archived.

        Raises:
            UpdateError: the version is neither current nor archived; the message lists
                the versions available.
        """
        current = self.current(name)
        if version == current.version:
            return current
        archive = self.releases_root / _archive_name(name, version)
        if not _VERSION.fullmatch(version) or not archive.is_file():
            raise UpdateError(
                problem=(
                    f"template {name!r} version {version} is not available "
                    f"(available: {', '.join(self.versions(name))})"
                ),
                hint=(
                    "Install the toolkit release that shipped it, or pick an available "
                    "version with --to."
                ),
            )
        target = scratch / f"{name}-{version}"
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                tar.extractall(target, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise TemplateError(template=name, problem=f"{archive} is unreadable: {exc}") from exc
        info = template_at(target / name)
        if info.version != version:
            raise TemplateError(
                template=name, problem=f"{archive} holds version {info.version}, not {version}"
            )
        return info
