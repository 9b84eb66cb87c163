"""`toolkit new` as a library call: read answers, validate them, render."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from toolkit.errors import AnswerError, ConfigError
from toolkit.scaffold.answers import Prompter, resolve_answers
from toolkit.scaffold.catalog import get_template
from toolkit.scaffold.render import RenderResult, render_project
from toolkit.scaffold.runtime_wheel import write_runtime_wheel
from toolkit.yamlfile import read_yaml

__all__ = ["create_project", "parse_set_options", "read_answers_file"]


def parse_set_options(items: Iterable[str]) -> dict[str, object]:
    """Turn ``["key=value", ...]`` into a dict; values stay literal text."""
    answers: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AnswerError(
                field=item[:40] or "--set",
                problem="is not of the form KEY=VALUE",
                hint="Example: --set project_name='Acme Lending Assistant'.",
            )
        answers[key] = value
    return answers


def read_answers_file(path: Path) -> dict[str, object]:
    """Read answers from a YAML (or JSON) mapping of answer names to values."""
    data = read_yaml(path).data
    if isinstance(data, Mapping) and isinstance(data.get("answers"), Mapping):
        data = data["answers"]  # accept a project's own .toolkit/answers.yaml
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise ConfigError(file=str(path), problem="must be a mapping of answer names to values")
    return dict(data)


def create_project(
    industry: str,
    *,
    output_dir: Path,
    provided: Mapping[str, object],
    prompter: Prompter | None = None,
    force: bool = False,
) -> RenderResult:
    """Create a project from the ``industry`` template; see `toolkit new`.

    Args:
        industry: template name, e.g. ``finance``.
        output_dir: the folder the project folder is created in.
        provided: answers given up front (never rendered as templates).
        prompter: asks for the remaining answers; ``None`` takes the defaults.
        force: update an existing project folder in place.
    """
    template = get_template(industry)
    answers = resolve_answers(template, provided, prompter=prompter)
    result = render_project(template, answers, output_dir, force=force)
    wheel = write_runtime_wheel(result.project_dir)  # `make install` needs no package index
    result.created.append(wheel.relative_to(result.project_dir))
    result.next_steps = [
        f"cd {result.project_dir}",
        "toolkit ingest .           # embed knowledge/ into the local store",
        'toolkit ask . "..."        # one agent turn on the embedded engine (offline)',
        "toolkit eval .             # run evals/cases.yaml, write reports/report.html",
        "python -m pytest           # the project's own tests and evaluation cases",
        "edit toolkit.yaml          # point it at your token service",
    ]
    return result
