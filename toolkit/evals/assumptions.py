"""Count the assumptions an answer states, in the embedded engine's fixed form.

The engine says each default that stood in for something the user said in one sentence
starting ``Assumed <parameter> = <value>`` (English) or ``假设 <parameter> = <value>``
(Chinese), at the start of a line (see ``toolkit.engine.assumptions``). This module reads
that form from the answer text only, so evaluation never imports the engine; an answer
from another model is counted the same way (and usually states none in this form).
"""

from __future__ import annotations

import re

__all__ = ["ASSUMPTION_LINE", "count_assumptions"]

ASSUMPTION_LINE = re.compile(r"^[ \t]*(?:Assumed|假设) [^\s=]+ = ", re.MULTILINE)
"""The start of one stated assumption."""


def count_assumptions(answer: str) -> int:
    """How many assumptions the answer states (lines in the fixed form)."""
    return len(ASSUMPTION_LINE.findall(answer))
