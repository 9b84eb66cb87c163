"""Endpoints: where a model is served, in which dialect, with which credentials."""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from toolkit.errors import ApiKeyMissingError, PayloadError
from toolkit.tokens.limits import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES
from toolkit.urlsafe import redact_url

__all__ = ["DIALECTS", "LOCAL_BASE_URL", "Dialect", "Endpoint"]

Dialect = Literal[
    "openai", "vllm", "sglang", "llamacpp", "dashscope", "deepseek", "qianfan", "anthropic"
]
DIALECTS: tuple[str, ...] = (
    "openai",
    "vllm",
    "sglang",
    "llamacpp",
    "dashscope",
    "deepseek",
    "qianfan",
    "anthropic",
)

LOCAL_BASE_URL = "http://local.engine/v1"


class Endpoint(BaseModel):
    """One OpenAI-compatible chat-completions endpoint.

    Args:
        url: Base URL including the version prefix (``http://host:8000/v1``), or
            ``"local"`` for the embedded engine in-process.
        model: Model name sent in each request.
        dialect: How the server asks for and reports prefix caching.
        api_key_env: Name of the environment variable holding the API key. The key
            is read from there and sent only in the ``Authorization`` header.
        weight: Relative share of affinity keys in rendezvous routing.
        api_key: A key given directly (LangChain's ``api_key=``); prefer ``api_key_env``.
        max_response_bytes: Largest answer (decoded bytes) accepted from this endpoint;
            a longer one raises `ResponseTooLargeError`.
        deadline: Seconds one request to this endpoint may take from send to the last
            byte of its answer (None: no deadline); past it, `DeadlineExceededError`.
        slots: llama.cpp only: the server's parallel slots (``--parallel``). When set, each
            affinity key is pinned to one slot (``id_slot``); None lets the server choose
            the slot by prompt similarity.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    url: str
    model: str
    dialect: Dialect = "openai"
    api_key_env: str | None = None
    weight: float = Field(default=1.0, gt=0)
    api_key: SecretStr | None = Field(default=None, repr=False, exclude=True)
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    deadline: float | None = Field(default=DEFAULT_DEADLINE, gt=0)
    slots: int | None = Field(default=None, ge=1, le=4096)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if value == "local":
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"url must be 'local' or an http(s) base URL like http://host:8000/v1, "
                f"got {redact_url(value)!r}"
            )
        return value.rstrip("/")

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("model must be a non-empty model name")
        return value

    @property
    def is_local(self) -> bool:
        """Whether this endpoint is the embedded engine."""
        return self.url == "local"

    @property
    def base_url(self) -> str:
        """The HTTP base URL requests go to (the embedded engine has a fixed one)."""
        return LOCAL_BASE_URL if self.is_local else self.url

    @property
    def label(self) -> str:
        """A name safe for logs, errors and ledgers: ``model@host`` without credentials."""
        if self.is_local:
            return f"{self.model}@local"
        parts = urlsplit(self.url)
        host = parts.hostname or "?"
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{self.model}@{host}{parts.path}"

    def resolve_api_key(self) -> str | None:
        """Return the API key, or None for an endpoint that needs none.

        Raises:
            ApiKeyMissingError: ``api_key_env`` names a variable that is not set.
        """
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "")
        if not key:
            raise ApiKeyMissingError(env_var=self.api_key_env, endpoint=self.label)
        return key


def coerce_endpoints(endpoints: object) -> tuple[Endpoint, ...]:
    """Accept one endpoint or a sequence of them; reject an empty list.

    Args:
        endpoints: An `Endpoint` or a sequence of `Endpoint`.

    Returns:
        A non-empty tuple of endpoints.

    Raises:
        PayloadError: Nothing usable was given.
    """
    if isinstance(endpoints, Endpoint):
        return (endpoints,)
    if isinstance(endpoints, list | tuple) and endpoints:
        for index, item in enumerate(endpoints):
            if not isinstance(item, Endpoint):
                raise PayloadError(
                    field=f"endpoints[{index}]",
                    problem=f"expected an Endpoint, got {type(item).__name__}",
                )
        return tuple(endpoints)
    raise PayloadError(field="endpoints", problem="give at least one Endpoint")
