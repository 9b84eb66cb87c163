"""An evaluation report as it may be kept at rest: every identifier masked.

`mask_report` is applied to a report before any of its files is written
(report.json, junit.xml, report.html and trace.jsonl are all rendered from
it), so no artifact holds a card number, IBAN, resident id, VIN, e-mail
address or phone number in clear (`toolkit.compliance.at_rest`).
"""

from __future__ import annotations

from typing import Any

from toolkit.compliance.at_rest import mask_at_rest
from toolkit.evals.summary import EvalReport

__all__ = ["mask_report", "mask_trace_body"]


def mask_report(report: EvalReport) -> EvalReport:
    """Return a copy of ``report`` with every string masked.

    The trace is carried over as it is: `mask_trace_body` masks each request body
    as `toolkit.evals.report.write_trace` writes it.
    """
    masked = EvalReport.model_validate(mask_at_rest(report.model_dump(mode="json")))
    masked.trace = report.trace
    return masked


def mask_trace_body(body: dict[str, Any]) -> dict[str, Any]:
    """One request body of the trace, masked.

    Masks are deterministic, so requests that shared a prefix still share it and
    ``toolkit cache analyze`` replays the masked trace (a masked value may take a
    token or two more or less than the original).
    """
    masked: dict[str, Any] = mask_at_rest(body)
    return masked
