"""Find the industry templates, from a source checkout or an installed wheel."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import TemplateError, TemplateNotFoundError
from toolkit.jsonfile import loads_bounded
from toolkit.yamlfile import read_text_capped

__all__ = ["TemplateInfo", "get_template", "list_templates", "template_at", "templates_root"]

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def templates_root() -> Path:
    """Return the folder holding one sub-folder per industry template.

    An installed wheel carries the templates as ``toolkit/_templates``; a source
    checkout (or an editable install) keeps them at the repository root.
    """
    bundled = _PACKAGE_DIR / "_templates"
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True)
class TemplateInfo:
    """One industry template: its folder and the metadata from ``cookiecutter.json``."""

    name: str
    title: str
    version: str
    description: str
    path: Path
    context: dict[str, Any] = field(repr=False, compare=False)

    @property
    def variables(self) -> dict[str, Any]:
        """The prompted variables (public keys) in declaration order."""
        return {k: v for k, v in self.context.items() if not k.startswith("_")}


def _load(path: Path) -> TemplateInfo:
    context_file = path / "cookiecutter.json"
    try:
        context = loads_bounded(read_text_capped(context_file))
    except (OSError, ValueError) as exc:
        raise TemplateError(
            template=path.name, problem=f"cannot read {context_file}: {exc}"
        ) from exc
    meta = context.get("_toolkit") if isinstance(context, dict) else None
    if not isinstance(meta, dict):
        raise TemplateError(template=path.name, problem="cookiecutter.json has no _toolkit block")
    try:
        return TemplateInfo(
            name=path.name,
            title=str(meta["title"]),
            version=str(meta["version"]),
            description=str(meta["description"]),
            path=path,
            context=context,
        )
    except KeyError as exc:
        raise TemplateError(template=path.name, problem=f"_toolkit lacks {exc}") from exc


def template_at(path: Path) -> TemplateInfo:
    """The template in the folder ``path`` (holding ``cookiecutter.json``), wherever it is.

    Raises:
        TemplateError: ``cookiecutter.json`` is unreadable or lacks the ``_toolkit`` block.
    """
    return _load(path.resolve())


def list_templates() -> list[TemplateInfo]:
    """Return every available template, sorted by name."""
    root = templates_root()
    if not root.is_dir():
        return []
    return [
        _load(child)
        for child in sorted(root.iterdir())
        if child.is_dir() and (child / "cookiecutter.json").is_file()
    ]


def get_template(name: str) -> TemplateInfo:
    """Return the template called ``name``.

    Raises:
        TemplateNotFoundError: no such template; the message lists the available ones.
    """
    root = templates_root()
    candidate = root / name
    if (
        name
        and name.replace("-", "").replace("_", "").isalnum()
        and (candidate / "cookiecutter.json").is_file()
    ):
        return _load(candidate)
    raise TemplateNotFoundError(name=name, available=[t.name for t in list_templates()])
