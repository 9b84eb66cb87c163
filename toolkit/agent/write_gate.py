"""The harness's write gate, built from the project's own tool schemas."""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.compliance.write_gate import ToolIntent, WriteGate
from toolkit.pack import APPROVAL_TOOL
from toolkit.tooling import ToolSpec

__all__ = ["write_gate"]


def write_gate(specs: Sequence[ToolSpec]) -> WriteGate:
    """A gate over the write tools among ``specs``.

    Each tool's action terms come from its name, description and examples (what the
    pack wrote), never from retrieved text. The approval tool is exempt: it only
    records a request for a person.
    """
    return WriteGate(
        [
            ToolIntent.from_schema(s.name, s.tool_description, s.parameters_schema())
            for s in specs
            if s.write
        ],
        exempt_tools=[APPROVAL_TOOL],
    )
