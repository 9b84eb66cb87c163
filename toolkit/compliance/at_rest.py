"""Masking for records kept at rest: traces, reports, JUnit files.

What a run writes to disk outlives the session and its roles, so every
built-in entity (card numbers, IBANs, PRC resident ids, VINs, e-mail addresses,
phone numbers) is masked in every string of a record, whoever asked. Masks are
deterministic (the same value always gives the same mask), so a masked trace
keeps the shared-prefix structure the prefix-cache analysis replays; numbers
that are JSON numbers, and decimals inside text, are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.compliance.masking import mask_value
from toolkit.compliance.recognizers import BUILTIN_ENTITIES, builtin_recognizer

__all__ = ["mask_at_rest", "mask_text_at_rest"]

# Most specific first, as the evaluation's detector orders them.
_ORDER = ("cn_resident_id", "vin", "iban", "card_pan", "email", "phone")
_RECOGNIZERS = [builtin_recognizer(e) for e in _ORDER if e in BUILTIN_ENTITIES]


def mask_text_at_rest(text: str) -> str:
    """Return ``text`` with every built-in entity replaced by its partial mask."""
    edits: list[tuple[int, int, str]] = []
    for recognizer in _RECOGNIZERS:
        for m in recognizer.find(text):
            if any(s < m.end and m.start < e for s, e, _ in edits):
                continue
            edits.append((m.start, m.end, mask_value(m.entity, m.value)))
    if not edits:
        return text
    out, pos = [], 0
    for start, end, masked in sorted(edits):
        out += [text[pos:start], masked]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def mask_at_rest(value: Any) -> Any:
    """Return a copy of a JSON-like record with every string masked (keys included)."""
    if isinstance(value, str):
        return mask_text_at_rest(value)
    if isinstance(value, Mapping):
        return {
            mask_at_rest(k) if isinstance(k, str) else k: mask_at_rest(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_at_rest(v) for v in value]
    return value
