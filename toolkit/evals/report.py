"""Write and read an evaluation run's files: report.json, trace.jsonl, junit.xml, report.html.

They are written as one set with a ``manifest.json`` (`toolkit.evals.artifacts`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from toolkit.errors import ReportError
from toolkit.evals.artifacts import write_atomic, write_set
from toolkit.evals.at_rest import mask_report, mask_trace_body
from toolkit.evals.html import render_html
from toolkit.evals.junit import render_junit
from toolkit.evals.summary import SCHEMA_VERSION, EvalReport
from toolkit.jsonfile import loads_bounded

__all__ = ["load_report", "report_json", "write_reports", "write_trace"]


def report_json(report: EvalReport) -> str:
    """``report.json``'s text: the report without the trace, keys in a stable order."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def trace_jsonl(report: EvalReport) -> bytes:
    """The request bodies, masked, one JSON object per line, in execution order."""
    return "".join(
        json.dumps(mask_trace_body(body), ensure_ascii=False, separators=(",", ":")) + "\n"
        for body in report.trace
    ).encode("utf-8")


def write_trace(report: EvalReport, path: Path) -> None:
    """Write the request bodies, masked, one JSON object per line, in execution order."""
    write_atomic(path, trace_jsonl(report))


def write_reports(report: EvalReport, report_dir: Path) -> dict[str, Path]:
    """Write the four report files into ``report_dir`` (created if needed) as one set.

    Every file is rendered first, then the set is written with its ``manifest.json``
    (`toolkit.evals.artifacts.write_set`): a kill leaves the previous set or a torn one
    that readers refuse, never a silently truncated trace beside a new report.

    Returns:
        File kind -> path: ``json``, ``junit``, ``html``, ``trace``.
    """
    report = mask_report(report)  # nothing at rest in clear
    names = {
        "json": "report.json",
        "junit": "junit.xml",
        "html": "report.html",
        "trace": "trace.jsonl",
    }
    contents = {
        names["json"]: report_json(report).encode("utf-8"),
        names["junit"]: render_junit(report),
        names["html"]: render_html(report).encode("utf-8"),
        names["trace"]: trace_jsonl(report),
    }
    written = write_set(contents, report_dir)
    return {kind: written[name] for kind, name in names.items()}


def load_report(path: Path) -> EvalReport:
    """Read a ``report.json`` written by `write_reports`.

    Raises:
        ReportError: unreadable, not JSON, another schema version, or not a report.
    """
    try:
        data = loads_bounded(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(file=str(path), problem=f"cannot be read ({exc.strerror})") from exc
    except ValueError as exc:
        raise ReportError(file=str(path), problem=f"is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ReportError(file=str(path), problem="is not a JSON object")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportError(
            file=str(path), problem=f"has schema_version {version!r}, expected {SCHEMA_VERSION}"
        )
    try:
        return EvalReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReportError(file=str(path), problem=f"field {where!r}: {first['msg']}") from exc
