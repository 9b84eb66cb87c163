"""LangChain's standard embeddings tests, run against each of our embedders."""

import json
from typing import Any

import httpx
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from toolkit.retrieval import EndpointEmbeddings, HashingEmbeddings, OfflineEmbeddings

# The project runs pytest-asyncio in strict mode; mark the standard async tests in place
# (the same function objects, so the suite's "no overrides" check still holds).
for _name in ("test_aembed_query", "test_aembed_documents"):
    pytest.mark.asyncio(getattr(EmbeddingsIntegrationTests, _name))


def _fake_endpoint(request: httpx.Request) -> httpx.Response:
    texts = json.loads(request.content)["input"]
    data = [{"index": i, "embedding": [float(len(t)), 1.0, 2.0, 3.0]} for i, t in enumerate(texts)]
    return httpx.Response(200, json={"data": data})


class TestOfflineStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[OfflineEmbeddings]:
        return OfflineEmbeddings


class TestHashingStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[HashingEmbeddings]:
        return HashingEmbeddings


class TestEndpointStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[EndpointEmbeddings]:
        return EndpointEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {
            "base_url": "http://embeddings.test/v1",
            "model": "fake",
            "dimension": 4,
            "transport": httpx.MockTransport(_fake_endpoint),
        }
