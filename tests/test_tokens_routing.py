from collections import Counter

import pytest

from toolkit.tokens import CircuitBreaker, Endpoint, Router
from toolkit.tokens.routing import rendezvous_order


def endpoints(n: int, weights: list[float] | None = None) -> list[Endpoint]:
    return [
        Endpoint(url=f"http://w{i}:8000/v1", model="m", weight=(weights or [1.0] * n)[i])
        for i in range(n)
    ]


KEYS = [f"key-{i}" for i in range(2000)]


def test_rendezvous_is_deterministic_and_complete() -> None:
    eps = endpoints(4)
    for key in KEYS[:50]:
        order = rendezvous_order(key, eps)
        assert sorted(order) == [0, 1, 2, 3]
        assert order == rendezvous_order(key, eps)


def test_keys_spread_evenly() -> None:
    counts = Counter(rendezvous_order(key, endpoints(4))[0] for key in KEYS)
    assert all(400 <= counts[i] <= 600 for i in range(4)), counts


def test_weights_shift_the_share() -> None:
    counts = Counter(rendezvous_order(key, endpoints(2, [3.0, 1.0]))[0] for key in KEYS)
    assert 0.68 < counts[0] / len(KEYS) < 0.82, counts


def test_removing_an_endpoint_moves_only_its_keys() -> None:
    eps = endpoints(4)
    before = {key: eps[rendezvous_order(key, eps)[0]].url for key in KEYS}
    survivors = [eps[0], eps[1], eps[3]]
    after = {key: survivors[rendezvous_order(key, survivors)[0]].url for key in KEYS}
    moved = [key for key in KEYS if before[key] != after[key]]
    assert moved
    assert all(before[key] == eps[2].url for key in moved)


def test_load_guard_needs_absolute_and_relative_imbalance() -> None:
    router = Router(endpoints(2), balance_abs_threshold=4, balance_rel_threshold=1.5)
    key = next(k for k in KEYS if rendezvous_order(k, router.endpoints)[0] == 0)
    for _ in range(5):
        router.acquire(0)
    # 5 - 0 > 4 and 5 > 1.5 x 0: imbalanced, least loaded first
    assert router.order(key)[0] == 1
    for _ in range(3):
        router.acquire(1)
    # 5 - 3 = 2: balanced, affinity wins
    assert router.order(key)[0] == 0
    assert router.in_flight() == [5, 3]


def test_relative_threshold_alone_does_not_trigger() -> None:
    router = Router(endpoints(2), balance_abs_threshold=4, balance_rel_threshold=1.5)
    key = next(k for k in KEYS if rendezvous_order(k, router.endpoints)[0] == 0)
    for _ in range(40):
        router.acquire(0)
    for _ in range(37):
        router.acquire(1)
    assert router.order(key)[0] == 0  # 40 - 37 <= 4


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_half_opens_and_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, cooldown=10, clock=clock)
    breaker.on_failure()
    assert breaker.state == "closed"
    breaker.on_failure()
    assert breaker.state == "open" and not breaker.available()
    clock.now = 10
    assert breaker.state == "half-open" and breaker.available()
    breaker.on_send()
    assert not breaker.available()  # one trial at a time
    breaker.on_failure()
    assert breaker.state == "open"
    clock.now = 20
    breaker.on_send()
    breaker.on_success()
    assert breaker.state == "closed"
    assert breaker.snapshot().consecutive_failures == 0


def test_open_endpoints_go_last() -> None:
    clock = Clock()
    router = Router(endpoints(3), failure_threshold=1, cooldown=5, clock=clock)
    key = KEYS[0]
    first = router.order(key)[0]
    router.acquire(first)
    router.release(first, ok=False)
    order = router.order(key)
    assert order[-1] == first and sorted(order) == [0, 1, 2]
    clock.now = 5
    assert router.order(key)[0] == first


def test_caller_faults_do_not_open_the_breaker() -> None:
    router = Router(endpoints(1), failure_threshold=1)
    router.acquire(0)
    router.release(0, ok=False, endpoint_fault=False)
    assert router.breakers[0].state == "closed"


@pytest.mark.parametrize("n", [1, 2, 5])
def test_order_always_lists_every_endpoint(n: int) -> None:
    assert sorted(Router(endpoints(n)).order("k")) == list(range(n))
