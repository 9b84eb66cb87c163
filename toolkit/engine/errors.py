"""OpenAI-style error bodies for the engine's HTTP front ends.

The error classes themselves live in `toolkit.errors` (`EngineRequestError`,
`TokenizerUnavailableError`, `TraceError`, `ServerStartError`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["error_body"]


def error_body(
    message: str, *, param: str | None, code: str, kind: str = "invalid_request_error"
) -> dict[str, Any]:
    """The JSON error object OpenAI's API returns: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
