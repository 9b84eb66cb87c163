"""Fleet-level prefix-cache reuse at 4 and 16 endpoints: the client's affinity vs round robin.

The fixture (generated once, cached under .bench/fleet/cache-8): two projects of each
template with their full evaluation suites, evaluated once on the embedded engine; their
recorded traces are replayed through one vLLM-style cache per endpoint. Printed: achieved /
ideal hit tokens (ideal: one infinite cache shared by all), with the default per-endpoint
capacity (1,048,576 tokens) and a tight one (16,384 tokens, about two of its prompts).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet_fixtures import cached, evaluated_fleet

from toolkit.fleet import find_projects, fleet_requests, simulate_reuse

PER_TEMPLATE = 2
RECIPE = 1


def build(folder: Path) -> None:
    evaluated_fleet(folder, PER_TEMPLATE, None)


def main() -> None:
    root = cached("cache-8", RECIPE, build)
    projects = find_projects([root]).projects
    requests = fleet_requests(projects)
    tokens = sum(len(r.token_ids) for r in requests)
    print(f"{len(requests)} requests, {tokens:,} prompt tokens from {len(projects)} projects")
    for capacity in (1_048_576, 16_384):
        results = simulate_reuse(requests, endpoints=(1, 4, 16), capacity_tokens=capacity)
        by = {(r.endpoints, r.routing): r for r in results}
        ideal = results[0].ideal_rate
        print(f"capacity {capacity:,} tokens per endpoint (ideal hit rate {ideal:.1%}):")
        for endpoints in (1, 4, 16):
            affinity, robin = by[(endpoints, "affinity")], by[(endpoints, "round-robin")]
            print(
                f"  {endpoints:>2} endpoints: affinity {affinity.ratio:.3f}, "
                f"round robin {robin.ratio:.3f} of ideal "
                f"(affinity / round robin {affinity.ratio / robin.ratio:.2f}x)"
            )


if __name__ == "__main__":
    main()
