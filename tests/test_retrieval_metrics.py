import math

import pytest

from toolkit.errors import UsageError
from toolkit.retrieval import hit_at_k, mrr, ndcg, recall_at_k

RANKING = ["a", "a", "b", "c", "d"]  # "a" twice: two chunks of one document


@pytest.mark.parametrize(
    ("expected", "k", "hit", "recall"),
    [
        ({"a"}, 1, 1.0, 1.0),
        ({"b"}, 1, 0.0, 0.0),
        ({"b"}, 2, 1.0, 1.0),  # duplicates of "a" do not push "b" out of the top 2
        ({"c", "x"}, 3, 1.0, 0.5),
        ({"x"}, 5, 0.0, 0.0),
    ],
)
def test_hit_and_recall(expected: set[str], k: int, hit: float, recall: float) -> None:
    assert hit_at_k(RANKING, expected, k) == hit
    assert recall_at_k(RANKING, expected, k) == recall


@pytest.mark.parametrize(
    ("expected", "value"), [({"a"}, 1.0), ({"c"}, 1 / 3), ({"d", "b"}, 0.5), ({"x"}, 0.0)]
)
def test_mrr(expected: set[str], value: float) -> None:
    assert mrr(RANKING, expected) == pytest.approx(value)


def test_ndcg_hand_computed() -> None:
    # distinct ranking a, b, c, d; relevant b and d at ranks 2 and 4
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert ndcg(RANKING, {"b", "d"}) == pytest.approx(dcg / ideal)
    # at k=2 only b counts; the ideal has two relevant documents in the top 2
    assert ndcg(RANKING, {"b", "d"}, k=2) == pytest.approx((1 / math.log2(3)) / ideal)
    assert ndcg(RANKING, {"a"}, k=3) == 1.0
    assert ndcg(RANKING, {"x"}) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: hit_at_k(RANKING, set(), 3),
        lambda: recall_at_k(RANKING, {"a"}, 0),
        lambda: mrr(RANKING, []),
        lambda: ndcg(RANKING, {"a"}, k=0),
    ],
)
def test_bad_input_is_refused(call: object) -> None:
    with pytest.raises(UsageError):
        call()  # type: ignore[operator]
