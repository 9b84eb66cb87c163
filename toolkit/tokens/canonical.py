"""Canonical JSON: the one serialization every hash and request body goes through.

Sorted keys, fixed separators and UTF-8 make the same logical value the same
bytes in every process, which is what prefix caches and the response cache key on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_dumps", "encode_body", "encode_fragments", "join_fragments", "sha256_hex"]

_SEPARATORS = (",", ":")

# Body keys in order of stability. Servers render the prompt from the parsed
# JSON, but keeping the bytes stable too lets proxies, logs and our tests see
# that turn N is a byte prefix of turn N+1 up to the volatile tail.
_LEADING_KEYS = ("model", "tools", "messages")


def canonical_dumps(value: Any) -> str:
    """Serialize ``value`` as canonical JSON (sorted keys, no spaces, UTF-8 text).

    Args:
        value: Any JSON-serializable value.

    Returns:
        The canonical JSON text.
    """
    return json.dumps(value, sort_keys=True, separators=_SEPARATORS, ensure_ascii=False)


def encode_body(payload: dict[str, Any]) -> bytes:
    """Encode a request body with stable top-level order: model, tools, messages, rest sorted.

    Nested objects use canonical (sorted) key order.

    Args:
        payload: The request body built by `build_payload`.

    Returns:
        UTF-8 bytes, identical for the same logical payload in every process.
    """
    return join_fragments(encode_fragments(payload))


def encode_fragments(
    payload: dict[str, Any],
    reuse: dict[str, str] | None = None,
    original: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Canonical JSON of each top-level value, reusing fragments of unchanged values.

    Args:
        payload: The body to encode.
        reuse: Fragments of ``original``, already encoded.
        original: The body ``reuse`` was made from; a value that is the very same
            object there is not encoded again.

    Returns:
        Top-level key to its canonical JSON text.
    """
    if reuse is None or original is None:
        return {key: canonical_dumps(value) for key, value in payload.items()}
    return {
        key: reuse[key] if key in reuse and original.get(key) is value else canonical_dumps(value)
        for key, value in payload.items()
    }


def join_fragments(fragments: dict[str, str]) -> bytes:
    """Assemble fragments into body bytes: model, tools, messages, then the rest sorted."""
    keys = [k for k in _LEADING_KEYS if k in fragments]
    keys += sorted(k for k in fragments if k not in _LEADING_KEYS)
    parts = [f"{json.dumps(k, ensure_ascii=False)}:{fragments[k]}" for k in keys]
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def sha256_hex(*chunks: str | bytes) -> str:
    """Hash chunks unambiguously (each is length-prefixed) and return the hex digest.

    Args:
        *chunks: Text or bytes to hash in order.

    Returns:
        The SHA-256 hex digest.
    """
    digest = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
