"""Render a template into a project folder: staged, checked, then moved into place.

The render goes to a private staging folder inside the chosen output folder (so
the final move is a same-filesystem rename). A failure removes the staging
folder, so no half-written project is ever left behind. With ``force``, an
existing project is updated as one transaction (`toolkit.scaffold.merge`):
nothing the user created is deleted, a template file the user changed is backed
up before it is replaced, and a refused or failed update changes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.errors import OutputFolderError, RenderError, TargetExistsError, ToolkitError
from toolkit.scaffold.answers import Answers
from toolkit.scaffold.catalog import TemplateInfo
from toolkit.scaffold.merge import apply_merge, plan_merge
from toolkit.scaffold.outdir import prepare_output_dir
from toolkit.scaffold.provenance import ANSWERS_FILE, Provenance, hash_files, write_provenance

__all__ = ["ANSWERS_FILE", "RenderResult", "build_context", "render_project"]


@dataclass
class RenderResult:
    """What `render_project` did."""

    project_dir: Path
    created: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    backed_up: list[Path] = field(default_factory=list)
    backup_dir: Path | None = None
    next_steps: list[str] = field(default_factory=list)


def build_context(template: TemplateInfo, answers: Answers) -> dict[str, Any]:
    """The cookiecutter context: the template's private keys plus the validated answers."""
    context = {k: v for k, v in template.context.items() if k.startswith("_")}
    context.update(answers.model_dump())
    context["_template"] = str(template.path)
    return {"cookiecutter": context}


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _check_tree(staged: Path) -> list[Path]:
    """Every rendered entry must be a regular file or folder inside the staging folder."""
    files = []
    root = staged.resolve()
    for entry in sorted(staged.rglob("*")):
        if entry.is_symlink() or not _inside(entry.resolve(), root):
            raise RenderError(template="?", problem=f"rendered path {entry} escapes the project")
        if entry.is_file():
            files.append(entry.relative_to(staged))
    return files


def _write_answers(project: Path, template: TemplateInfo, answers: Answers) -> None:
    rendered = [rel for rel in _check_tree(project) if rel.parts[0] != ANSWERS_FILE.parts[0]]
    provenance = Provenance(
        template=template.name,
        template_version=template.version,
        toolkit_version=__version__,
        answers=answers.model_dump(),
        files=hash_files(project, rendered),
    )
    write_provenance(project, provenance)


def render_project(
    template: TemplateInfo, answers: Answers, output_dir: Path, *, force: bool = False
) -> RenderResult:
    """Render ``template`` with ``answers`` into ``output_dir/<project_slug>``.

    Raises:
        OutputFolderError: ``output_dir`` cannot hold a project.
        TargetExistsError: the project folder exists and ``force`` is false.
        RenderError: rendering failed, or a forced update was refused; nothing was
            left behind and the existing project is unchanged.
    """
    from cookiecutter.generate import generate_files

    output_root = prepare_output_dir(output_dir)
    target = output_root / answers.project_slug
    if target.parent != output_root:
        raise RenderError(template=template.name, problem="the project folder escapes -o")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise RenderError(template=template.name, problem=f"{target} exists and is not a folder")
    if target.exists() and not force:
        raise TargetExistsError(path=str(target))

    try:
        staging = Path(tempfile.mkdtemp(prefix=".toolkit-render-", dir=output_root))
    except OSError as exc:
        raise OutputFolderError(
            path=str(output_dir), problem=f"cannot be written ({exc.strerror or exc})"
        ) from exc
    try:
        try:
            rendered = Path(
                generate_files(
                    repo_dir=str(template.path),
                    context=build_context(template, answers),
                    output_dir=str(staging),
                    accept_hooks=False,
                )
            )
        except ToolkitError:
            raise
        except Exception as exc:
            raise RenderError(
                template=template.name, problem=f"{type(exc).__name__}: {exc}"
            ) from exc
        if rendered.resolve().parent != staging.resolve():
            raise RenderError(template=template.name, problem="the project folder escapes -o")
        _write_answers(rendered, template, answers)
        files = _check_tree(rendered)
        result = RenderResult(project_dir=target)
        if target.exists():
            plan = plan_merge(rendered, target, files, template=template.name)
            work = Path(tempfile.mkdtemp(prefix="work-", dir=staging))
            result.backup_dir = apply_merge(plan, rendered, work)
            result.created, result.updated = plan.created, plan.updated
            result.backed_up = list(plan.updated)
        else:
            rendered.rename(target)
            result.created = files
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
