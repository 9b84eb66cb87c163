import toolkit.retrieval

EXPECTED = {
    "Chunk",
    "Embedder",
    "EndpointEmbeddings",
    "FrontMatter",
    "HashingEmbeddings",
    "IngestReport",
    "KnowledgeRetriever",
    "KnowledgeStore",
    "OfflineEmbeddings",
    "Passage",
    "ProjectRetrieval",
    "hit_at_k",
    "ingest_project",
    "mrr",
    "ndcg",
    "open_project_store",
    "parse_front_matter",
    "recall_at_k",
    "split_text",
}


def test_public_surface_is_pinned() -> None:
    assert set(toolkit.retrieval.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    for name in toolkit.retrieval.__all__:
        assert getattr(toolkit.retrieval, name) is not None
