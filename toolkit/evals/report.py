"""Write and read an evaluation run's files: report.json, trace.jsonl, junit.xml, report.html."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from toolkit.errors import ReportError
from toolkit.evals.at_rest import mask_report, mask_trace_body
from toolkit.evals.html import render_html
from toolkit.evals.junit import render_junit
from toolkit.evals.summary import SCHEMA_VERSION, EvalReport
from toolkit.jsonfile import loads_bounded

__all__ = ["load_report", "report_json", "write_reports", "write_trace"]


def report_json(report: EvalReport) -> str:
    """``report.json``'s text: the report without the trace, keys in a stable order."""
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def write_trace(report: EvalReport, path: Path) -> None:
    """Write the request bodies, masked, one JSON object per line, in execution order."""
    with path.open("w", encoding="utf-8") as out:
        for body in report.trace:
            out.write(
                json.dumps(mask_trace_body(body), ensure_ascii=False, separators=(",", ":")) + "\n"
            )


def write_reports(report: EvalReport, report_dir: Path) -> dict[str, Path]:
    """Write the four report files into ``report_dir`` (created if needed).

    Returns:
        File kind -> path: ``json``, ``junit``, ``html``, ``trace``.
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    report = mask_report(report)  # nothing at rest in clear
    paths = {
        "json": report_dir / "report.json",
        "junit": report_dir / "junit.xml",
        "html": report_dir / "report.html",
        "trace": report_dir / "trace.jsonl",
    }
    paths["json"].write_text(report_json(report), encoding="utf-8")
    paths["junit"].write_bytes(render_junit(report))
    paths["html"].write_text(render_html(report), encoding="utf-8")
    write_trace(report, paths["trace"])
    return paths


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
