"""`toolkit update` on a 1,000-file project, against one render of the same template.

Three updates of a project generated from a synthetic 1,000-file template (40 lines each):
no change (a second update to the version the project is at), all changed by the template
(every file taken), and all changed by both sides (every file merged by libgit2). The baseline,
measured in the same run, is one cookiecutter render of the template: an update renders the
old and the new version, so about 2x is its floor.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from toolkit.scaffold import render_project, resolve_answers, template_at
from toolkit.update import TemplateShelf, freeze_release, update_project

FILES = 1000
LINES = 40
ROUNDS = 1  # each update of 1,000 files takes seconds; one round keeps `make bench` short


def _template(root: Path, version: str, marker: str) -> Path:
    folder = root / "bench"
    context = {
        "project_name": "Bench Project",
        "project_slug": "{{ cookiecutter.project_name | slugify }}",
        "package_name": "{{ cookiecutter.project_slug | replace('-', '_') }}",
        "author": "Bench",
        "token_service_url": "local",
        "model": "m",
        "_toolkit": {"title": "Bench", "version": version, "description": "bench"},
    }
    slug = folder / "{{cookiecutter.project_slug}}"
    for i in range(FILES):
        path = slug / f"pkg{i // 100}" / f"file{i}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [f"file {i} line {n}" for n in range(LINES)]
        body[-1] = f"last line {marker}"
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
    (folder / "cookiecutter.json").write_text(json.dumps(context), encoding="utf-8")
    return folder


def _time(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    """Print the median time of each update and its ratio to one render."""
    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    try:
        v1 = template_at(_template(work / "v1", "1.0.0", "v1"))
        _template(work / "v2", "2.0.0", "v2")
        freeze_release(v1, work / "v2" / "_releases")
        old, new = TemplateShelf(work / "v1"), TemplateShelf(work / "v2")
        answers = resolve_answers(v1, {})
        renders, noop, taken, merged = [], [], [], []
        for r in range(ROUNDS):
            renders.append(_time(lambda r=r: render_project(v1, answers, work / f"render{r}")))
            project = render_project(v1, answers, work / f"p{r}").project_dir
            noop.append(_time(lambda p=project: update_project(p, shelf=old)))
            taken.append(_time(lambda p=project: update_project(p, shelf=new)))
            project = render_project(v1, answers, work / f"q{r}").project_dir
            for path in sorted(project.rglob("file*.txt")):
                text = path.read_text(encoding="utf-8")
                path.write_text("customer line\n" + text, encoding="utf-8")
            merged.append(_time(lambda p=project: update_project(p, shelf=new)))
        base = statistics.median(renders)
        print(f"one render of the {FILES}-file template: median {base:.2f} s (baseline)")
        for label, times in (
            ("no change (already at the version)", noop),
            ("all changed by the template (1,000 taken)", taken),
            ("all changed by both sides (1,000 merged)", merged),
        ):
            median = statistics.median(times)
            print(f"update, {label}: median {median:.2f} s, {median / base:.2f}x one render")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
