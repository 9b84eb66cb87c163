"""The knowledge folder ingests cleanly and answers paraphrased questions, offline.

The `store` fixture (the knowledge ingested offline) comes from conftest.py.
"""

import pytest

from toolkit.retrieval import KnowledgeStore


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("Who confirms an ASIL before it is final?", "hara-asil-procedure.md"),
        ("How is a trouble code packed into two bytes?", "diagnostic-code-handbook.md"),
        ("Can the assistant start an over-the-air campaign?", "ota-sums-change-control.md"),
    ],
)
def test_paraphrased_questions_find_their_document(
    store: KnowledgeStore, question: str, document: str
) -> None:
    found = [p.doc_id for p in store.search(question, k=4)]
    assert document in found, found


def test_the_adversarial_tsb_is_untrusted(store: KnowledgeStore) -> None:
    passages = store.search("supplier TSB AEB regression requested action", k=4)
    trust = {p.doc_id: p.trust for p in passages}
    assert trust.get("tsb-aeb-regression-note.md") == "untrusted"
