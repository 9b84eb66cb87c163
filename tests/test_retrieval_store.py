from pathlib import Path

import chromadb
import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from toolkit.errors import (
    EmbedderMismatchError,
    StoreUnavailableError,
    ToolkitError,
    UsageError,
)
from toolkit.retrieval import HashingEmbeddings, KnowledgeStore, Passage
from toolkit.retrieval.store import _settings


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "grid.md").write_text(
        "---\ntitle: Grid Code\ntags: [grid, frequency]\n---\n# Grid Code\n\n"
        "## Frequency\n\nfrequency band limits hertz\n\n## Voltage\n\nvoltage band kilovolt\n"
    )
    (folder / "rumour.md").write_text(
        "---\ntrust: untrusted\n---\n# Forum post\n\nfrequency rumour hertz\n"
    )
    return folder


def test_search_returns_passages_best_first(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings(512)) as store:
        store.ingest(kb)
        passages = store.search("voltage band kilovolt", k=2)
    assert len(passages) == 2
    best = passages[0]
    assert isinstance(best, Passage)
    assert (best.doc_id, best.title, best.section) == ("grid.md", "Grid Code", "Voltage")
    assert best.text == "voltage band kilovolt"
    assert best.score == pytest.approx(1.0, abs=0.2)
    assert best.score > passages[1].score
    assert best.trust == "trusted"
    assert best.metadata["tags"] == "grid,frequency"
    assert best.id == best.metadata.get("id", best.id)


def test_where_filters_on_trust(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings(512)) as store:
        store.ingest(kb)
        unfiltered = store.search("frequency rumour hertz", k=1)
        trusted = store.search("frequency rumour hertz", k=1, where={"trust": "trusted"})
    assert unfiltered[0].doc_id == "rumour.md"
    assert unfiltered[0].trust == "untrusted"
    assert trusted[0].doc_id == "grid.md"


@pytest.mark.parametrize(("trust", "expected"), [("untrusted", ["rumour.md"]), ("nobody", [])])
def test_filter_matching_fewer_than_k(
    tmp_path: Path, kb: Path, trust: str, expected: list[str]
) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings()) as store:
        store.ingest(kb)
        found = store.search("frequency", k=10, where={"trust": trust})
    assert [p.doc_id for p in found] == expected


def test_k_larger_than_the_store_and_bad_k(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings()) as store:
        store.ingest(kb)
        assert len(store.search("frequency", k=50)) == 3
        assert store.search("   ") == []
        with pytest.raises(ValueError, match="k must be at least 1"):
            store.search("x", k=0)


def test_store_persists_and_reopens(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings()) as store:
        store.ingest(kb)
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings()) as store:
        assert store.count() == 3
        assert store.ingest(kb).unchanged == 2


def test_chroma_reopens_the_collection_with_our_embedder_by_name(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", collection="kb1", embeddings=HashingEmbeddings(128)) as s:
        s.ingest(kb)
    client = chromadb.PersistentClient(path=str(tmp_path / "db"), settings=_settings())
    try:
        collection = client.get_collection("kb1")
        config_ef = collection.configuration["embedding_function"]
        assert isinstance(config_ef, HashingEmbeddings)
        assert config_ef.dimension == 128
        found = collection.query(query_texts=["voltage band kilovolt"], n_results=1)
        assert found["metadatas"] is not None
        assert found["metadatas"][0][0]["section"] == "Voltage"
    finally:
        client.close()  # type: ignore[attr-defined]


def test_another_embedder_is_refused_with_how_to_rebuild(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings(64)) as store:
        store.ingest(kb)
    with pytest.raises(EmbedderMismatchError) as caught:
        KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings(128))
    message = str(caught.value)
    assert "toolkit-hashing/64" in message and "toolkit-hashing/128" in message
    assert "toolkit ingest --rebuild" in message
    assert isinstance(caught.value, ToolkitError) and isinstance(caught.value, ValueError)
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings(128), rebuild=True) as s:
        assert s.count() == 0
        assert s.ingest(kb).added == 2


def test_reset_empties_the_store(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "db", embeddings=HashingEmbeddings()) as store:
        store.ingest(kb)
        store.reset()
        assert store.count() == 0


def test_injected_client_and_langchain_retriever(kb: Path) -> None:
    client = chromadb.EphemeralClient(settings=_settings())
    store = KnowledgeStore(
        client=client, collection="retriever-test", embeddings=HashingEmbeddings()
    )
    store.ingest(kb)
    retriever = store.as_retriever(k=1, where={"trust": "trusted"})
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("voltage band kilovolt")
    assert len(docs) == 1
    assert isinstance(docs[0], Document)
    assert docs[0].page_content == "voltage band kilovolt"
    assert docs[0].metadata["doc_id"] == "grid.md"
    assert docs[0].metadata["trust"] == "trusted"
    assert isinstance(docs[0].metadata["score"], float)
    store.close()  # an injected client belongs to the caller: still usable
    assert client.heartbeat() > 0
    client.delete_collection("retriever-test")


@pytest.mark.parametrize("name", ["kb", "-kb-", "a" * 64, "with space"])
def test_bad_collection_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="Collection name"):
        KnowledgeStore(tmp_path, collection=name, embeddings=HashingEmbeddings())


def test_path_url_and_client_are_exclusive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at most one"):
        KnowledgeStore(tmp_path, url="http://127.0.0.1:1", embeddings=HashingEmbeddings())


@pytest.mark.parametrize("url", ["ftp://127.0.0.1:8000", "not a url"])
def test_invalid_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreUnavailableError, match="invalid URL"):
        KnowledgeStore(url=url, embeddings=HashingEmbeddings())


def test_repr_names_location_and_collection(tmp_path: Path) -> None:
    with KnowledgeStore(tmp_path / "db", collection="acme", embeddings=HashingEmbeddings()) as s:
        assert repr(s) == (
            f"KnowledgeStore(location={str(tmp_path / 'db')!r}, collection='acme', "
            "embeddings=HashingEmbeddings(dimension=256))"
        )
