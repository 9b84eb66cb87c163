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


@app.command("ingest")
def ingest(
    project_dir: Annotated[
        Path, typer.Argument(help="The generated project's folder (holding toolkit.yaml).")
    ] = Path(),
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Drop the store first, e.g. after changing embedder."),
    ] = False,
) -> None:
    """Embed the project's knowledge documents into its retrieval store (idempotent)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from toolkit.retrieval import ingest_project

    console = Console(stderr=True, highlight=False)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Embedding chunks", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = ingest_project(project_dir, rebuild=rebuild, progress=progress)
    for warning in report.warnings:
        console.print(f"warning: {warning}", markup=False, soft_wrap=True)
    Console(highlight=False).print(report.summary(), markup=False, soft_wrap=True)


def main() -> None:
    """Run the CLI; expected errors exit 1 with a message and no traceback."""
    try:
        app(standalone_mode=True)
    except ToolkitError as exc:
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True, highlight=False).print(Text("error: ", style="bold red") + str(exc))
        sys.exit(1)
