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


audit_app = typer.Typer(
    help="Inspect the compliance audit log.", no_args_is_help=True, rich_markup_mode=None
)
rules_app = typer.Typer(
    help="Work with a project's compliance rule pack.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")


@audit_app.command("verify")
def audit_verify(
    path: Annotated[Path, typer.Argument(help="The audit log (JSON Lines).")],
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", help="Environment variable holding the HMAC key, if any."),
    ] = None,
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help="A head hash printed earlier; detects truncation."),
    ] = None,
) -> None:
    """Verify the audit log's hash chain; exit 1 naming the first bad record."""
    from toolkit.compliance.audit import AuditLog
    from toolkit.errors import AuditVerifyError

    result = AuditLog.verify(path, key_env=key_env, expected_head=expect_head)
    if not result.ok:
        raise AuditVerifyError(
            path=str(path), record=result.first_bad, reason=result.reason or "unknown problem"
        )
    typer.echo(f"OK: {path} is intact: {result.records} records, head {result.head}")


@rules_app.command("check")
def rules_check(
    project_dir: Annotated[
        Path, typer.Argument(help="Project folder holding compliance/rules.yaml.")
    ] = Path(),
) -> None:
    """Validate compliance/rules.yaml and print its rules by stage."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.compliance.rules import RuleSet
    from toolkit.compliance.types import STAGES

    rules = RuleSet.load(project_dir / "compliance" / "rules.yaml")
    table = Table(title=f"{len(rules)} rules in {rules.source}")
    for column in ("stage", "id", "kind", "action", "severity", "roles", "regulation"):
        table.add_column(column)
    for stage in STAGES:
        for rule in rules.for_stage(stage):
            roles = ", ".join(rule.roles) if rule.roles else "all"
            table.add_row(
                stage, rule.id, rule.kind, rule.action, rule.severity, roles, rule.regulation
            )
    Console(highlight=False).print(table)


def main() -> None:
    """Run the CLI; expected errors exit 1 with a message and no traceback."""
    try:
        app(standalone_mode=True)
    except ToolkitError as exc:
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True, highlight=False).print(Text("error: ", style="bold red") + str(exc))
        sys.exit(1)
