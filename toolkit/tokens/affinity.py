"""Affinity: one key per stable prefix and tenant, sent in each dialect's own form.

The key hashes the tools and the static system prompt (plus the tenant), so
every turn of every session that shares them lands on the same cache, while
tenants never share one. vLLM's ``cache_salt`` is per tenant, never per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from toolkit.tokens.canonical import canonical_dumps, sha256_hex
from toolkit.tokens.endpoint import Endpoint
from toolkit.tokens.payload import has_context_tail

__all__ = [
    "MAX_CACHE_MARKERS",
    "ROUTING_HEADER",
    "affinity_key",
    "apply_dialect",
    "cache_marker_positions",
    "llamacpp_slot",
    "tenant_salt",
]

ROUTING_HEADER = "X-SMG-Routing-Key"
MAX_CACHE_MARKERS = 4
_EPHEMERAL = {"type": "ephemeral"}
_STREAM_USAGE_DIALECTS = frozenset(
    {"openai", "vllm", "sglang", "llamacpp", "dashscope", "deepseek", "qianfan"}
)


def affinity_key(
    core: Mapping[str, Any], tenant: str | None = None, *, tools_json: str | None = None
) -> str:
    """Derive the affinity key from the body's stable prefix and the tenant.

    Args:
        core: A body from `build_core_payload`.
        tenant: Tenant name, or None for a single-tenant deployment.
        tools_json: The canonical JSON of ``core["tools"]`` when already encoded.

    Returns:
        A 32-hex-digit key.
    """
    system = [m for m in core.get("messages", []) if m.get("role") in ("system", "developer")]
    return sha256_hex(
        "toolkit-affinity-v1",
        tenant or "",
        tools_json if tools_json is not None else canonical_dumps(core.get("tools", [])),
        canonical_dumps(system),
    )[:32]


def llamacpp_slot(affinity: str, slots: int) -> int:
    """The llama.cpp slot (``id_slot``) a key is pinned to on a server with ``slots`` slots.

    Every request sharing a prefix lands in the slot whose prompt cache already holds it;
    distinct prefixes spread over the slots.
    """
    return int(affinity[:8], 16) % slots


def tenant_salt(tenant: str | None) -> str | None:
    """The per-tenant vLLM ``cache_salt`` (None for no tenant: shared cache)."""
    if not tenant:
        return None
    return sha256_hex("toolkit-cache-salt-v1", tenant)[:32]


def cache_marker_positions(messages: list[dict[str, Any]], *, has_tail: bool) -> list[int]:
    """Choose message indexes for explicit cache breakpoints (at most 4).

    Markers go at the end of the system block, at the end of the previous
    request's history (so that request's entry is read back) and at the end of
    the current history, never on the volatile tail.

    Args:
        messages: The body's messages.
        has_tail: Whether the last message is the volatile context tail.

    Returns:
        Sorted distinct indexes of messages that can carry a marker.
    """
    end = len(messages) - (1 if has_tail else 0)
    markable = [i for i in range(end) if _has_content(messages[i])]
    if not markable:
        return []
    chosen: set[int] = set()
    system = [i for i in markable if messages[i].get("role") in ("system", "developer")]
    if system:
        chosen.add(system[-1])
    chosen.add(markable[-1])
    assistants = [i for i in range(end) if messages[i].get("role") == "assistant"]
    if assistants:
        before = [i for i in markable if i < assistants[-1]]
        if before:
            chosen.add(before[-1])
    return sorted(chosen)[-MAX_CACHE_MARKERS:]


def _has_content(message: Mapping[str, Any]) -> bool:
    content = message.get("content")
    if isinstance(content, str):
        return bool(content)
    return isinstance(content, list) and bool(content)


def _mark(message: dict[str, Any]) -> None:
    content = message["content"]
    if isinstance(content, str):
        message["content"] = [{"type": "text", "text": content, "cache_control": dict(_EPHEMERAL)}]
        return
    parts = [dict(part) if isinstance(part, Mapping) else part for part in content]
    if isinstance(parts[-1], dict):
        parts[-1]["cache_control"] = dict(_EPHEMERAL)
    message["content"] = parts


def apply_dialect(
    core: Mapping[str, Any],
    endpoint: Endpoint,
    *,
    affinity: str,
    tenant: str | None,
    stream: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn a dialect-neutral body into the body and headers one endpoint expects.

    Args:
        core: A body from `build_core_payload`.
        endpoint: The endpoint the request goes to.
        affinity: The key from `affinity_key`.
        tenant: Tenant name (vLLM ``cache_salt``).
        stream: Whether to ask for server-sent events.

    Returns:
        The body (a new dict) and extra headers (never credentials).
    """
    # Shallow: untouched values stay the same objects, so their encoding is reused.
    body = dict(core)
    body["model"] = endpoint.model
    headers: dict[str, str] = {}
    dialect = endpoint.dialect
    if dialect == "openai":
        body["prompt_cache_key"] = affinity
    elif dialect == "vllm":
        salt = tenant_salt(tenant)
        if salt is not None:
            body["cache_salt"] = salt
    elif dialect == "sglang":
        headers[ROUTING_HEADER] = affinity
    elif dialect == "llamacpp":
        body["cache_prompt"] = True
        if endpoint.slots is not None:
            body["id_slot"] = llamacpp_slot(affinity, endpoint.slots)
    elif dialect in ("anthropic", "dashscope"):
        messages = list(body["messages"])
        for index in cache_marker_positions(messages, has_tail=has_context_tail(core)):
            messages[index] = dict(messages[index])
            _mark(messages[index])
        body["messages"] = messages
    if stream:
        body["stream"] = True
        if dialect in _STREAM_USAGE_DIALECTS:
            body["stream_options"] = {"include_usage": True}
    return body, headers
