"""The knowledge folder ingests cleanly and answers paraphrased questions, offline.

The `store` fixture (the knowledge ingested offline) comes from conftest.py.
"""

from pathlib import Path

import pytest
from toolkit.retrieval import KnowledgeStore


def test_reingest_of_unchanged_documents_embeds_nothing(
    store: KnowledgeStore, project_dir: Path
) -> None:
    again = store.ingest(project_dir / "knowledge")
    assert again.embedded == 0
    assert again.added == again.updated == again.removed == 0


@pytest.mark.parametrize(
    ("question", "document"),
    [
        (
            "How much spare capacity should we carry above the seasonal peak?",
            "resource-adequacy-reserve-policy.md",
        ),
        (
            "How fast does winding insulation wear out when it runs hot?",
            "transformer-loading-guideline.md",
        ),
        (
            "Which gas ratios point to arcing inside a transformer tank?",
            "dga-interpretation-procedure.md",
        ),
        (
            "How do we judge whether a peak prediction method is accurate enough?",
            "load-forecast-methodology.md",
        ),
        (
            "May I paste a device network address into a ticket?",
            "grid-cyber-information-standard.md",
        ),
        (
            "What has to happen before a crew touches equipment in the yard?",
            "substation-inspection-safety-checklist.md",
        ),
    ],
)
def test_paraphrased_questions_find_their_document(
    store: KnowledgeStore, question: str, document: str
) -> None:
    found = [p.doc_id for p in store.search(question, k=3)]
    assert document in found, found


def test_the_contractor_sop_is_untrusted(store: KnowledgeStore) -> None:
    passages = store.search("Substation 7 bus coupler switching sequence contractor", k=4)
    trust = {p.doc_id: p.trust for p in passages}
    assert trust.get("substation-7-switching-sop-contractor-copy.md") == "untrusted"


def test_the_dispatch_procedure_is_marked_for_the_production_zone(store: KnowledgeStore) -> None:
    passages = store.search("three-part communication repeat back dispatch instruction", k=4)
    zones = {p.doc_id: p.metadata.get("zone") for p in passages}
    assert zones.get("dispatch-operating-procedure.md") == "production_control"
