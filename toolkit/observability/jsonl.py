"""A span exporter that writes one JSON object per span to a file (``--trace-otel F``)."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from toolkit.errors import UsageError

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["JsonLinesSpanExporter"]


class JsonLinesSpanExporter(SpanExporter):
    """Collects spans and writes them as JSON lines when tracing shuts down.

    The file is written whole, through a temporary file and a rename, so a reader
    never sees half a trace. Each line is the SDK's own JSON form of a span.

    Args:
        path: The file to write; its folder must exist or be creatable.

    Raises:
        UsageError: The folder cannot be created.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"--trace-otel {path}: cannot create its folder ({exc.strerror}); "
                "pick a writable path"
            ) from exc
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._written = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Keep ``spans`` for the file."""
        lines = [
            json.dumps(json.loads(s.to_json(indent=None)), ensure_ascii=False, sort_keys=True)
            for s in spans
        ]
        with self._lock:
            self._lines += lines
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Write the file (once)."""
        with self._lock:
            if self._written:
                return
            self._written = True
            text = "".join(line + "\n" for line in self._lines)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered outside this object until shutdown."""
        return True
