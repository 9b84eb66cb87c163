from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from toolkit.errors import KnowledgeFolderError
from toolkit.retrieval import HashingEmbeddings, IngestReport, KnowledgeStore


class Interrupted(Exception):
    """Stands for a crash or Ctrl-C in the middle of an ingest."""


class CountingEmbeddings(HashingEmbeddings):
    """Hashing vectors, counting the texts embedded; can fail after a number of calls."""

    def __init__(self, fail_after_calls: int | None = None) -> None:
        super().__init__(64)
        self.texts = 0
        self.calls = 0
        self.fail_after_calls = fail_after_calls

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if self.fail_after_calls is not None and self.calls >= self.fail_after_calls:
            raise Interrupted
        self.calls += 1
        self.texts += len(texts)
        return super().embed(texts)


def _doc(title: str, sections: int, trust: str = "trusted") -> str:
    body = "\n\n".join(f"## Part {i}\n\n{title} detail number {i}." for i in range(sections))
    return f"---\ntitle: {title}\ntrust: {trust}\n---\n\n{body}\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "a.md").write_text(_doc("Alpha", 3))
    (folder / "b.md").write_text(_doc("Beta", 2))
    (folder / "c.txt").write_text("Gamma plain text.\n")
    return folder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KnowledgeStore]:
    with KnowledgeStore(tmp_path / "db", embeddings=CountingEmbeddings()) as opened:
        yield opened


def _counter(store: KnowledgeStore) -> CountingEmbeddings:
    assert isinstance(store.embeddings, CountingEmbeddings)
    return store.embeddings


def _state(store: KnowledgeStore) -> dict[str, dict[str, object]]:
    got = store.collection.get(include=["metadatas", "documents"])
    return {
        chunk_id: {**(meta or {}), "text": text}
        for chunk_id, meta, text in zip(got["ids"], got["metadatas"], got["documents"], strict=True)
    }


def test_first_ingest_adds_everything(store: KnowledgeStore, kb: Path) -> None:
    report = store.ingest(kb)
    assert report == IngestReport(
        added=3, updated=0, removed=0, unchanged=0, chunks=6, embedded=6, folder=str(kb)
    )
    assert _counter(store).texts == 6
    meta = [m for m in _state(store).values() if m["doc_id"] == "a.md"]
    assert {m["section"] for m in meta} == {"Part 0", "Part 1", "Part 2"}
    assert {(m["title"], m["trust"], m["chunk_count"]) for m in meta} == {("Alpha", "trusted", 3)}


def test_unchanged_documents_cost_no_embedding(store: KnowledgeStore, kb: Path) -> None:
    store.ingest(kb)
    before = _state(store)
    calls = _counter(store).calls
    report = store.ingest(kb)
    assert (report.unchanged, report.added, report.updated, report.embedded) == (3, 0, 0, 0)
    assert _counter(store).calls == calls
    assert _state(store) == before


def test_changed_document_replaces_its_chunks(store: KnowledgeStore, kb: Path) -> None:
    store.ingest(kb)
    (kb / "a.md").write_text(_doc("Alpha", 1) + "\n## New\n\nA brand new section.\n")
    texts = _counter(store).texts
    report = store.ingest(kb)
    assert (report.updated, report.unchanged, report.chunks) == (1, 2, 2 + 2 + 1)
    # "Part 0" is unchanged text at the same position: reused, not embedded again
    assert report.embedded == 1
    assert _counter(store).texts == texts + 1
    a_chunks = [m for m in _state(store).values() if m["doc_id"] == "a.md"]
    assert sorted(str(m["section"]) for m in a_chunks) == ["New", "Part 0"]


def test_deleted_document_disappears(store: KnowledgeStore, kb: Path) -> None:
    store.ingest(kb)
    (kb / "b.md").unlink()
    report = store.ingest(kb)
    assert (report.removed, report.unchanged, report.chunks) == (1, 2, 4)
    assert "b.md" not in {m["doc_id"] for m in _state(store).values()}


def test_trust_change_relabels_without_embedding(store: KnowledgeStore, kb: Path) -> None:
    store.ingest(kb)
    (kb / "b.md").write_text(_doc("Beta", 2, trust="untrusted"))
    report = store.ingest(kb)
    assert (report.updated, report.embedded) == (1, 0)
    assert {m["trust"] for m in _state(store).values() if m["doc_id"] == "b.md"} == {"untrusted"}
    assert [p.doc_id for p in store.search("Beta detail", k=6, where={"trust": "untrusted"})] == [
        "b.md",
        "b.md",
    ]


def test_chunk_settings_change_rechunks(store: KnowledgeStore, kb: Path) -> None:
    store.ingest(kb)
    report = store.ingest(kb, chunk_size=300, chunk_overlap=20)
    assert report.updated == 3


def test_interrupted_ingest_is_completed_by_the_next_run(tmp_path: Path, kb: Path) -> None:
    with KnowledgeStore(tmp_path / "ref", embeddings=CountingEmbeddings()) as reference:
        reference.ingest(kb, batch_size=2)
        (kb / "a.md").write_text(_doc("Alpha", 4))
        (kb / "c.txt").unlink()
        (kb / "d.md").write_text(_doc("Delta", 3))
        reference.ingest(kb, batch_size=2)
        expected = _state(reference)
    # Same history, but the second ingest dies after its first batch.
    (kb / "a.md").write_text(_doc("Alpha", 3))
    (kb / "c.txt").write_text("Gamma plain text.\n")
    (kb / "d.md").unlink()
    db = tmp_path / "db"
    with KnowledgeStore(db, embeddings=CountingEmbeddings()) as store:
        store.ingest(kb, batch_size=2)
    (kb / "a.md").write_text(_doc("Alpha", 4))
    (kb / "c.txt").unlink()
    (kb / "d.md").write_text(_doc("Delta", 3))
    with KnowledgeStore(db, embeddings=CountingEmbeddings(fail_after_calls=1)) as store:
        with pytest.raises(Interrupted):
            store.ingest(kb, batch_size=2)
        partial = _state(store)
        assert len(partial) > 6  # new chunks written, old ones not yet deleted
        _counter(store).fail_after_calls = None
        assert store.search("Gamma plain", k=1)[0].doc_id == "c.txt"  # still answers
    finisher = CountingEmbeddings()
    with KnowledgeStore(db, embeddings=finisher) as store:
        report = store.ingest(kb, batch_size=2)
        assert _state(store) == expected
    # the batch written before the interruption is not embedded again
    assert finisher.texts == 4 - 2
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)


def test_empty_folder_gives_an_empty_store_and_a_clear_message(
    store: KnowledgeStore, tmp_path: Path, kb: Path
) -> None:
    store.ingest(kb)
    empty = tmp_path / "empty"
    empty.mkdir()
    report = store.ingest(empty)
    assert (report.removed, report.chunks, store.count()) == (3, 0, 0)
    assert report.summary().startswith(f"No documents found in {empty}: the store is empty.")
    assert store.search("anything") == []


def test_warnings_reach_the_report(store: KnowledgeStore, kb: Path) -> None:
    (kb / "logo.png").write_bytes(b"\x89PNG")
    report = store.ingest(kb)
    assert report.warnings == (
        f"skipped {kb / 'logo.png'}: not a Markdown (.md) or text (.txt) file",
    )


def test_progress_is_reported_in_chunks(store: KnowledgeStore, kb: Path) -> None:
    calls: list[tuple[int, int]] = []
    store.ingest(kb, batch_size=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 6), (4, 6), (6, 6)]


def test_missing_folder_raises(store: KnowledgeStore, tmp_path: Path) -> None:
    with pytest.raises(KnowledgeFolderError):
        store.ingest(tmp_path / "nope")


def test_summary_line() -> None:
    report = IngestReport(added=1, updated=2, removed=3, unchanged=4, chunks=50, embedded=9)
    assert report.summary() == (
        "7 documents, 50 chunks: 1 added, 2 updated, 3 removed, 4 unchanged; 9 chunks embedded"
    )
