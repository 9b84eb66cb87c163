"""Tracing for one command (`toolkit ask`, `toolkit eval`), flushed when it ends.

Lives in the agent layer because the default content masker is the compliance
engine's: with contents opted in, everything outside a session (whose own rules
mask its turns) is masked by the built-in recognizers, never recorded in clear.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from toolkit.observability import TracingSettings, configure_from_env, shutdown_tracing

__all__ = ["command_tracing", "default_masker"]


def default_masker() -> Callable[[Any], Any]:
    """The compliance engine's scrub with only the built-in PII recognizers."""
    from toolkit.compliance import ComplianceEngine, RuleSet

    return ComplianceEngine(RuleSet([]), role="tracing").scrub


@contextlib.contextmanager
def command_tracing(jsonl_path: Path | None = None) -> Iterator[TracingSettings | None]:
    """Trace the block when asked, and flush the exporters when it ends.

    OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, and/or a JSON-lines file;
    otherwise tracing stays off.

    Args:
        jsonl_path: ``--trace-otel F``: also write every span to this file.

    Yields:
        What was set up, or None when tracing stays off.
    """
    settings = configure_from_env(jsonl_path=jsonl_path, masker=default_masker())
    try:
        yield settings
    finally:
        if settings is not None:
            shutdown_tracing()
