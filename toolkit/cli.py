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


def main() -> None:
    """Run the CLI; expected errors exit 1 with a message and no traceback."""
    try:
        app(standalone_mode=True)
    except ToolkitError as exc:
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True, highlight=False).print(Text("error: ", style="bold red") + str(exc))
        sys.exit(1)


tokens_app = typer.Typer(
    name="tokens",
    help="Token-service client: usage and spend recorded in a ledger.",
    no_args_is_help=True,
)
app.add_typer(tokens_app)


@tokens_app.command("usage")
def tokens_usage(
    ledger: Annotated[Path, typer.Option("--ledger", help="The ledger's SQLite file.")],
    by: Annotated[
        str,
        typer.Option(help="Group by project, tenant, session, endpoint, day, model or status."),
    ] = "tenant",
    day: Annotated[str | None, typer.Option(help="Only this UTC day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show calls, tokens (cached included), cache hit rate and cost from a ledger."""
    import json

    from rich.console import Console
    from rich.table import Table

    from toolkit.tokens.report import usage_report

    rows = usage_report(ledger, by=by, day=day)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Token usage by {by}")
    columns = [
        by,
        "calls",
        "errors",
        "prompt_tokens",
        "cached_tokens",
        "completion_tokens",
        "cache_hit_rate",
        "cost",
    ]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in columns))
    Console().print(table)
