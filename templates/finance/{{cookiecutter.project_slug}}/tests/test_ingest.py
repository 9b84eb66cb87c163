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
        ("How much of a customer's monthly pay may go to loan repayments?", "retail-credit-underwriting-policy.md"),
        ("How should card numbers be displayed to staff?", "cardholder-data-handling-standard.md"),
        ("When does a loan move to lifetime expected credit losses?", "ifrs9-staging-note.md"),
        ("What must we tell an applicant we turn down?", "adverse-action-notice-procedure.md"),
        ("Which words may advisers not use about investment returns?", "customer-communications-guide.md"),
    ],
)
def test_paraphrased_questions_find_their_document(
    store: KnowledgeStore, question: str, document: str
) -> None:
    found = [p.doc_id for p in store.search(question, k=3)]
    assert document in found, found


def test_the_adversarial_factsheet_is_untrusted(store: KnowledgeStore) -> None:
    passages = store.search("Fund A annual returns and fees", k=4)
    trust = {p.doc_id: p.trust for p in passages}
    assert trust.get("fund-a-factsheet.md") == "untrusted"
