import json

import httpx
import numpy as np
import pytest

from toolkit.errors import EmbeddingServiceError
from toolkit.retrieval import EndpointEmbeddings
from toolkit.retrieval.endpoint import embeddings_request

SECRET = "sk-test-0123456789abcdef"


def _server(seen: list[httpx.Request], dimension: int = 3) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        texts = json.loads(request.content)["input"]
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0][:dimension]}
            for i, t in enumerate(texts)
        ]
        # Answer out of order: the client must sort by index.
        return httpx.Response(200, json={"object": "list", "data": data[::-1]})

    return httpx.MockTransport(handler)


def test_request_body_is_openai_shaped() -> None:
    assert embeddings_request("bge-m3", ["a", "b"]) == {
        "model": "bge-m3",
        "input": ["a", "b"],
        "encoding_format": "float",
    }


def test_embeds_in_batches_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBED_KEY", SECRET)
    seen: list[httpx.Request] = []
    embedder = EndpointEmbeddings(
        "http://embed.test/v1/",
        "bge-m3",
        dimension=3,
        api_key_env="EMBED_KEY",
        batch_size=2,
        transport=_server(seen),
    )
    vectors = embedder.embed(["a", "bbb", "cc"])
    assert [str(r.url) for r in seen] == ["http://embed.test/v1/embeddings"] * 2
    assert seen[0].headers["authorization"] == f"Bearer {SECRET}"
    expected = np.array([[1, 1, 0], [3, 1, 0], [2, 1, 0]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected)


def test_no_key_no_authorization_header() -> None:
    seen: list[httpx.Request] = []
    EndpointEmbeddings("http://e/v1", "m", dimension=3, transport=_server(seen)).embed(["x"])
    assert "authorization" not in seen[0].headers


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        (httpx.Response(500, text="boom"), "HTTP 500"),
        (httpx.Response(200, json={"nope": 1}), "not an OpenAI embeddings response"),
        (httpx.Response(200, text="<html>"), "not an OpenAI embeddings response"),
        (
            httpx.Response(200, json={"data": [{"index": 0, "embedding": [1.0, 2.0]}]}),
            "expected 1 vectors of 3 numbers",
        ),
    ],
)
def test_bad_answers_raise_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, response: httpx.Response, problem: str
) -> None:
    monkeypatch.setenv("EMBED_KEY", SECRET)
    embedder = EndpointEmbeddings(
        "http://e/v1",
        "m",
        dimension=3,
        api_key_env="EMBED_KEY",
        transport=httpx.MockTransport(lambda request: response),
    )
    with pytest.raises(EmbeddingServiceError, match=problem) as caught:
        embedder.embed(["x"])
    assert "http://e/v1/embeddings" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_connection_failure_is_a_toolkit_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    embedder = EndpointEmbeddings(
        "http://e/v1", "m", dimension=3, transport=httpx.MockTransport(refuse)
    )
    with pytest.raises(EmbeddingServiceError, match="ConnectError"):
        embedder.embed(["x"])


def test_key_never_in_repr_or_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMBED_KEY", SECRET)
    embedder = EndpointEmbeddings("http://e/v1", "m", dimension=3, api_key_env="EMBED_KEY")
    assert SECRET not in repr(embedder)
    assert SECRET not in json.dumps(embedder.get_config())
    rebuilt = EndpointEmbeddings.build_from_config(embedder.get_config())
    assert rebuilt.get_config() == embedder.get_config()
    assert embedder.signature == "toolkit-endpoint/m/3"
