"""Paraphrased questions find the right document: meaning, not shared words.

Each query shares no content word (nor a 4-letter prefix of one) with its target
document, which the first test checks, so only a semantic model can pass the
second; the third shows the hashing embedder failing the same bar.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from toolkit.retrieval import Embedder, HashingEmbeddings, KnowledgeStore, OfflineEmbeddings
from toolkit.retrieval.store import _settings

KNOWLEDGE = Path(__file__).parent / "data" / "retrieval_knowledge"
QUERIES = {
    "finance/mortgage-affordability.md": (
        "What share of my salary can go on repaying what I owe if I want to buy a house?"
    ),
    "finance/aml-screening.md": (
        "Whom should I tell when a client keeps splitting cash deposits into small amounts?"
    ),
    "energy/transformer-dga.md": "Which chemical signature reveals sparks within a power "
    "substation unit?",
    "energy/wind-curtailment.md": (
        "Why might the propellers on the hill be told to throttle back on a gusty evening?"
    ),
    "auto/asil-determination.md": (
        "How do car makers grade how dangerous a malfunction could be for drivers?"
    ),
    "auto/battery-thermal-runaway.md": (
        "The accumulator under my plug-in hatchback is smoking and heating up quickly; "
        "what should be done?"
    ),
    "manufacturing/spc-control-charts.md": (
        "How can I tell from graphed measurements that my factory's output has drifted?"
    ),
    "manufacturing/lockout-tagout.md": (
        "How do we make sure a machine cannot switch on while someone repairs it?"
    ),
}
STOPWORD_TEXT = (
    "the and for are can does how what why when which who whom should would could might "
    "that this with from into while there their they them out has have been being not "
    "our its make sure"
)
STOPWORDS = set(STOPWORD_TEXT.split())


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3} - STOPWORDS


def _misses(embedder: Embedder) -> list[str]:
    client = chromadb.EphemeralClient(settings=_settings())
    name = f"semantic-{embedder.name()}"
    store = KnowledgeStore(client=client, collection=name, embeddings=embedder, rebuild=True)
    try:
        store.ingest(KNOWLEDGE)
        misses = []
        for doc_id, query in QUERIES.items():
            ranked = list(dict.fromkeys(p.doc_id for p in store.search(query, k=12)))
            if doc_id not in ranked[:3]:
                misses.append(doc_id)
        return misses
    finally:
        client.delete_collection(name)


@pytest.fixture(scope="module")
def offline() -> Iterator[OfflineEmbeddings]:
    yield OfflineEmbeddings()


@pytest.mark.parametrize(("doc_id", "query"), sorted(QUERIES.items()))
def test_queries_share_no_keyword_with_their_target(doc_id: str, query: str) -> None:
    document = _content_words((KNOWLEDGE / doc_id).read_text(encoding="utf-8"))
    shared = {q for q in _content_words(query) for d in document if q == d or q[:4] == d[:4]}
    assert not shared, f"{doc_id}: the query shares {shared}"


def test_offline_model_finds_every_target_in_the_top_3(offline: OfflineEmbeddings) -> None:
    assert _misses(offline) == []


def test_a_hashing_embedder_fails_the_same_test() -> None:
    assert len(_misses(HashingEmbeddings())) >= len(QUERIES) // 2
