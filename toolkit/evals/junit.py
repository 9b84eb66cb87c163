"""``junit.xml``: one testcase per case, with rule ids and regulation citations as properties."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from toolkit.evals.summary import CaseSummary, EvalReport

__all__ = ["render_junit"]

# Characters XML 1.0 cannot carry at all; they are replaced, not escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _failure_text(summary: CaseSummary) -> str:
    lines: list[str] = []
    for run in summary.runs:
        if run.passed:
            continue
        lines.append(f"repeat {run.repeat}:")
        for failure in run.failures:
            lines.append(f"  [{failure.expectation}] {failure.message}")
            if failure.evidence is not None:
                evidence = json.dumps(failure.evidence, ensure_ascii=False, default=str)
                lines.append(f"    evidence: {evidence}")
    return "\n".join(lines)


def _testcase(parent: ET.Element, summary: CaseSummary, report: EvalReport) -> None:
    seconds = sum(run.latency_s for run in summary.runs)
    case = ET.SubElement(
        parent,
        "testcase",
        name=_clean(summary.case_id),
        classname=_clean(f"evals.{report.info.project or 'project'}"),
        time=f"{seconds:.3f}",
    )
    properties = ET.SubElement(case, "properties")
    for rule_id in summary.rules:
        ET.SubElement(properties, "property", name="rule", value=_clean(rule_id))
        citation = report.citations.get(rule_id)
        if citation:
            ET.SubElement(
                properties, "property", name=f"regulation:{_clean(rule_id)}", value=_clean(citation)
            )
    for tag in summary.tags:
        ET.SubElement(properties, "property", name="tag", value=_clean(tag))
    for name in ("prompt_tokens", "cached_tokens", "completion_tokens"):
        ET.SubElement(properties, "property", name=name, value=str(getattr(summary, name)))
    ET.SubElement(properties, "property", name="pass_fraction", value=f"{summary.pass_fraction}")
    if not summary.passed:
        all_errors = all(run.error is not None for run in summary.runs)
        first = next(run for run in summary.runs if not run.passed)
        message = "; ".join(f.message for f in first.failures) or "failed"
        element = ET.SubElement(
            case,
            "error" if all_errors else "failure",
            message=_clean(message[:500]),
            type="EvalError" if all_errors else "EvalFailure",
        )
        element.text = _clean(_failure_text(summary))
    if summary.runs:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(summary.runs[-1].answer)


def render_junit(report: EvalReport) -> bytes:
    """The JUnit XML document of ``report`` (UTF-8, with an XML declaration)."""
    failures = sum(not c.passed and not all(r.error for r in c.runs) for c in report.cases)
    errors = sum(bool(c.runs) and all(r.error for r in c.runs) for c in report.cases)
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=_clean(f"toolkit eval: {report.info.project or 'project'}"),
        tests=str(len(report.cases)),
        failures=str(failures),
        errors=str(errors),
        time=f"{report.info.duration_s:.3f}",
        timestamp=report.info.started_at,
    )
    properties = ET.SubElement(suite, "properties")
    for key in ("model", "endpoint", "template", "template_version", "toolkit_version"):
        ET.SubElement(
            properties, "property", name=key, value=_clean(str(getattr(report.info, key)))
        )
    for rule_id in report.uncovered_rules:
        ET.SubElement(properties, "property", name="uncovered_rule", value=_clean(rule_id))
    for summary in report.cases:
        _testcase(suite, summary, report)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
