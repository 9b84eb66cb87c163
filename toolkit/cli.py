"""The `toolkit` command line: parse, call the library, map errors to exit codes.

Imports that cost (cookiecutter, pydantic, langchain, chromadb) happen inside
the commands that need them, so `toolkit --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from toolkit import __version__
from toolkit.errors import ToolkitError

app = typer.Typer(
    name="toolkit",
    help="Scaffold, run and evaluate industry agent projects.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"toolkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Scaffold, run and evaluate industry agent projects."""


@app.command("list")
def list_templates() -> None:
    """List the industry templates with their title, version and description."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.scaffold import list_templates as catalog

    table = Table(title="Industry templates")
    for column in ("name", "title", "version", "description"):
        table.add_column(column)
    for info in catalog():
        table.add_row(info.name, info.title, info.version, info.description)
    Console().print(table)


@app.command("new")
def new(
    industry: Annotated[str, typer.Argument(help="Template name, e.g. finance.")],
    output_dir: Annotated[
        Path, typer.Option("-o", "--output-dir", help="Folder to create the project in.")
    ] = Path(),
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Take defaults instead of prompting.")
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="An answer as KEY=VALUE; repeat for several."),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers-file", help="YAML or JSON file of answers."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Update an existing project folder in place; never deletes your files.",
        ),
    ] = False,
) -> None:
    """Create a new project from an industry template."""
    from rich.console import Console

    from toolkit.scaffold import create_project, parse_set_options, read_answers_file
    from toolkit.scaffold.prompting import rich_prompter

    provided: dict[str, object] = {}
    if answers_file is not None:
        provided.update(read_answers_file(answers_file))
    provided.update(parse_set_options(set_ or []))
    result = create_project(
        industry,
        output_dir=output_dir,
        provided=provided,
        prompter=None if no_input else rich_prompter(),
        force=force,
    )
    console = Console(highlight=False)
    console.print(f"Created {result.project_dir}", markup=False)
    if result.backed_up:
        console.print(
            f"Backed up {len(result.backed_up)} changed file(s) to {result.backup_dir}",
            markup=False,
        )
    console.print("Next steps:", markup=False)
    for step in result.next_steps:
        console.print(f"  {step}", markup=False)


@app.command("eval")
def eval_command(
    project_dir: Annotated[Path, typer.Argument(help="The generated project's folder.")] = Path(),
    report_dir: Annotated[
        Path | None,
        typer.Option("--report-dir", help="Where to write the reports (default: toolkit.yaml)."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Cases run at once.")
    ] = 8,
    repeats: Annotated[
        int, typer.Option("--repeats", min=1, help="Runs per case; pass^k is reported.")
    ] = 1,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="'local' or an OpenAI-compatible URL.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model id.")] = None,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="An earlier report.json to show deltas against."),
    ] = None,
) -> None:
    """Run the project's evaluation cases; exit 1 when a threshold in toolkit.yaml fails."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from toolkit.evals.command import evaluate_project
    from toolkit.evals.console import print_summary

    console = Console(highlight=False)
    with Progress(
        TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), console=console
    ) as progress:
        task = progress.add_task("cases", total=None)
        outcome = evaluate_project(
            project_dir,
            report_dir=report_dir,
            concurrency=concurrency,
            repeats=repeats,
            endpoint_url=endpoint,
            model=model,
            compare=compare,
            on_start=lambda total: progress.update(task, total=total),
            on_result=lambda _result: progress.advance(task),
        )
    print_summary(console, outcome.report, outcome.threshold_failures)
    console.print(f"Reports written to {outcome.paths['json'].parent}", markup=False)
    if not outcome.ok:
        raise typer.Exit(1)


def main() -> None:
    """Run the CLI; expected errors exit 1 with a message and no traceback."""
    try:
        app(standalone_mode=True)
    except ToolkitError as exc:
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True, highlight=False).print(Text("error: ", style="bold red") + str(exc))
        sys.exit(1)
