"""Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint.

For deployments whose token service also serves an embedding model (vLLM,
llama.cpp server, Ollama, OpenAI, DashScope...). The request body is built by
a pure function; the HTTP transport is injectable, so tests need no network.
The API key is read from an environment variable named in the config and
never appears in a repr, an error message or the chromadb config.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
from chromadb.utils.embedding_functions import register_embedding_function

from toolkit.errors import EmbeddingServiceError
from toolkit.retrieval.embedder import Embedder, l2_normalise

__all__ = ["EndpointEmbeddings", "embeddings_request"]


def embeddings_request(model: str, texts: Sequence[str]) -> dict[str, Any]:
    """The JSON body of one ``POST /v1/embeddings`` call."""
    return {"model": model, "input": list(texts), "encoding_format": "float"}


@register_embedding_function
class EndpointEmbeddings(Embedder):
    """Embed through an OpenAI-compatible ``/v1/embeddings`` endpoint.

    Args:
        base_url: The endpoint's base URL, ending in ``/v1`` (``/embeddings`` is appended).
        model: The embedding model id the endpoint serves.
        dimension: Vector length the model returns; checked on every answer.
        api_key_env: Name of the environment variable holding the API key, if any.
        batch_size: Texts per request.
        timeout: Seconds per request.
        transport: An ``httpx`` transport (tests pass ``httpx.MockTransport``).
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        dimension: int,
        api_key_env: str | None = None,
        batch_size: int = 64,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.dimension = dimension
        self.api_key_env = api_key_env
        self.batch_size = batch_size
        self.timeout = timeout
        self._transport = transport

    @property
    def url(self) -> str:
        """The full URL requests go to."""
        return f"{self.base_url}/embeddings"

    def _headers(self) -> dict[str, str]:
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        return {"Authorization": f"Bearer {key}"} if key else {}

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts in batches; rows come back in input order, L2-normalised."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        with httpx.Client(transport=self._transport, timeout=self.timeout) as client:
            for start in range(0, len(texts), self.batch_size):
                batch = list(texts[start : start + self.batch_size])
                out[start : start + len(batch)] = self._post(client, batch)
        return l2_normalise(out)

    def _post(self, client: httpx.Client, batch: list[str]) -> npt.NDArray[np.float32]:
        try:
            response = client.post(
                self.url, json=embeddings_request(self.model, batch), headers=self._headers()
            )
        except httpx.HTTPError as exc:
            raise EmbeddingServiceError(url=self.url, problem=type(exc).__name__) from exc
        if response.status_code != 200:
            raise EmbeddingServiceError(url=self.url, problem=f"HTTP {response.status_code}")
        try:
            items = sorted(response.json()["data"], key=lambda item: int(item["index"]))
            vectors = np.array([item["embedding"] for item in items], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingServiceError(
                url=self.url, problem="the answer is not an OpenAI embeddings response"
            ) from exc
        if vectors.shape != (len(batch), self.dimension):
            raise EmbeddingServiceError(
                url=self.url,
                problem=f"expected {len(batch)} vectors of {self.dimension} numbers, "
                f"got shape {vectors.shape}",
            )
        return vectors

    @staticmethod
    def name() -> str:
        """The name chromadb records in a collection's configuration."""
        return "toolkit-endpoint"

    @property
    def signature(self) -> str:
        """Model and dimension; the URL may change without changing the vector space."""
        return f"{self.name()}/{self.model}/{self.dimension}"

    def get_config(self) -> dict[str, Any]:
        """Serializable settings; holds the key's variable name, never the key."""
        return {
            "base_url": self.base_url,
            "model": self.model,
            "dimension": self.dimension,
            "api_key_env": self.api_key_env,
            "batch_size": self.batch_size,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EndpointEmbeddings:
        """Rebuild from :meth:`get_config` output."""
        return EndpointEmbeddings(
            str(config["base_url"]),
            str(config["model"]),
            dimension=int(config["dimension"]),
            api_key_env=config.get("api_key_env"),
            batch_size=int(config.get("batch_size", 64)),
        )

    def __repr__(self) -> str:
        return (
            f"EndpointEmbeddings(base_url={self.base_url!r}, model={self.model!r}, "
            f"api_key_env={self.api_key_env!r})"
        )
