"""A tiny two-version template for the update machinery's unit tests (not a real pack)."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.scaffold import render_project, resolve_answers, template_at
from toolkit.update import TemplateShelf, freeze_release

SLUG = "{{cookiecutter.project_slug}}"
NOTES_V1 = "line one\nline two\nline three\nline four\nline five\nline six\nline seven\n"
NOTES_V2 = "line one\nline two, fixed\nline three\nline four\nline five\nline six\nline seven\n"
BINARY_V1 = b"\x89PNG\x00\x01\x02v1"
BINARY_V2 = b"\x89PNG\x00\x01\x02v2"


def _context(version: str, extra: dict[str, object] | None = None) -> dict[str, object]:
    context: dict[str, object] = {
        "project_name": "Demo Desk",
        "project_slug": "{{ cookiecutter.project_name | slugify }}",
        "package_name": "{{ cookiecutter.project_slug | replace('-', '_') }}",
        "author": "Team",
        "token_service_url": "local",
        "model": "model-1",
    }
    context.update(extra or {})
    context["_toolkit"] = {"title": "Demo", "version": version, "description": "demo"}
    return context


def _write(root: Path, files: dict[str, str | bytes], context: dict[str, object]) -> Path:
    folder = root / "demo"
    folder.mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(json.dumps(context), encoding="utf-8")
    for rel, content in files.items():
        path = folder / SLUG / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def write_v1(root: Path) -> Path:
    return _write(
        root,
        {
            "notes.txt": NOTES_V1,
            "config.txt": (
                "name = {{ cookiecutter.project_name }}\nmodel = {{ cookiecutter.model }}\n# end\n"
            ),
            "dropped.txt": "obsolete\n",
            "dropped_edited.txt": "obsolete too\n",
            "old_name.txt": "alpha\nbeta\ngamma\ndelta\nepsilon\n",
            "logo.bin": BINARY_V1,
            "removed_by_customer.txt": "a\nb\n",
            "src/{{cookiecutter.package_name}}/mod.py": "X = 1\n",
        },
        _context("1.0.0"),
    )


def write_v2(root: Path) -> Path:
    context = _context("1.1.0", {"region": "{{ cookiecutter.project_slug }}-eu"})
    context["_toolkit"]["renames"] = {"old_name.txt": "docs/new_name.txt"}  # type: ignore[index]
    return _write(
        root,
        {
            "notes.txt": NOTES_V2,
            "config.txt": (
                "name = {{ cookiecutter.project_name }}\nmodel = {{ cookiecutter.model }}\n# end\n"
                "region = {{ cookiecutter.region }}\n"
            ),
            "docs/new_name.txt": "alpha\nbeta\ngamma\ndelta\nepsilon, revised\n",
            "logo.bin": BINARY_V2,
            "removed_by_customer.txt": "a\nb\nc\n",
            "added.txt": "new in 1.1.0\n",
            "src/{{cookiecutter.package_name}}/mod.py": "X = 2\n",
        },
        context,
    )


def make_shelves(root: Path) -> tuple[TemplateShelf, TemplateShelf]:
    """Return the shelf at 1.0.0 and the shelf at 1.1.0 (holding 1.0.0 as an archive)."""
    v1 = write_v1(root / "v1")
    write_v2(root / "v2")
    freeze_release(template_at(v1), root / "v2" / "_releases")
    return TemplateShelf(root / "v1"), TemplateShelf(root / "v2")


def generate(shelf: TemplateShelf, out: Path) -> Path:
    template = shelf.current("demo")
    return render_project(template, resolve_answers(template, {}), out).project_dir
