import numpy as np
import pytest
from chromadb.utils.embedding_functions import config_to_embedding_function

from toolkit.retrieval import HashingEmbeddings


@pytest.mark.parametrize("dimension", [8, 64, 256])
def test_deterministic_unit_vectors(dimension: int) -> None:
    first = HashingEmbeddings(dimension).embed(["Grid frequency rose", "loan"])
    again = HashingEmbeddings(dimension).embed(["Grid frequency rose", "loan"])
    assert first.shape == (2, dimension)
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-6)


def test_matches_words_not_case() -> None:
    embedder = HashingEmbeddings(1024)
    same, other = embedder.embed(["Transformer OIL", "transformer oil"]), embedder.embed(["wind"])
    assert float(same[0] @ same[1]) == pytest.approx(1.0)
    assert float(same[0] @ other[0]) < 0.5


def test_text_without_words_is_the_zero_vector() -> None:
    assert not HashingEmbeddings(16).embed(["   !!! "]).any()


def test_rebuilds_from_chromadb_config() -> None:
    embedder = HashingEmbeddings(32)
    rebuilt = config_to_embedding_function(
        {"name": embedder.name(), "config": embedder.get_config()}
    )
    assert isinstance(rebuilt, HashingEmbeddings)
    assert rebuilt.dimension == 32
    assert embedder.signature == "toolkit-hashing/32"


def test_too_small_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 8"):
        HashingEmbeddings(4)
