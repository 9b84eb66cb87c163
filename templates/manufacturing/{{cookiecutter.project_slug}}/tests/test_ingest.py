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
            "What do we do when a control chart shows a point outside its limits?",
            "spc-control-and-reaction-plan.md",
        ),
        (
            "Which Cpk must a stable process reach before parts ship?",
            "process-capability-requirements.md",
        ),
        (
            "How many units do we pull from a delivery for receiving inspection?",
            "incoming-inspection-sampling-procedure.md",
        ),
        (
            "Who may accept a nonconforming batch under a deviation?",
            "nonconforming-material-and-concession-procedure.md",
        ),
        (
            "How is hazardous energy isolated before servicing a machine?",
            "lockout-tagout-program.md",
        ),
        ("How is mean time between failures calculated?", "pm-and-reliability-standard.md"),
        (
            "Which losses reduce overall equipment effectiveness?",
            "oee-definitions-and-six-big-losses.md",
        ),
    ],
)
def test_paraphrased_questions_find_their_document(
    store: KnowledgeStore, question: str, document: str
) -> None:
    found = [p.doc_id for p in store.search(question, k=3)]
    assert document in found, found


def test_the_adversarial_certificate_is_untrusted(store: KnowledgeStore) -> None:
    passages = store.search("Northbridge Polymers certificate of analysis lot 4471", k=4)
    trust = {p.doc_id: p.trust for p in passages}
    assert trust.get("coa-northbridge-polymers-lot-4471.md") == "untrusted"


def test_need_to_know_documents_carry_their_classification(store: KnowledgeStore) -> None:
    prices = store.search("supplier unit prices for resin", k=4)
    drawings = store.search("customer drawing revisions for program K7", k=4)
    classes = {p.doc_id: p.metadata.get("classification") for p in prices + drawings}
    assert classes.get("supplier-price-list.md") == "supplier-pricing"
    assert classes.get("customer-drawing-register.md") == "customer-drawing"
