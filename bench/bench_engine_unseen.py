"""The embedded engine's score on domains it was never tuned on.

Runs the unseen-domain cases of `tests/test_engine_unseen_domains.py` and the two held-out
sets of `bench/engine_unseen_heldout.py` through `LocalEngine.complete`, exactly as a
client sends them, and prints "N of M fully correct" for each set (right tools, in order,
with exactly the expected arguments). `--verbose` lists every request that is not.

    python bench/bench_engine_unseen.py [--verbose] [--without-final]

`--without-final` leaves out the second held-out set (for runs while working on the engine).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.engine import LocalEngine  # noqa: E402


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:  # pragma: no cover - the files are in the repo
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(
    name: str,
    cases: list[tuple[str, str, list[tuple[str, dict[str, Any]]]]],
    cases_module: ModuleType,
    *,
    verbose: bool,
) -> tuple[int, int]:
    """Run one set of cases; print its score (and its misses with `verbose`)."""
    engine = LocalEngine()
    correct = 0
    for domain, request, expected in cases:
        actual = cases_module.calls(engine, cases_module.DOMAINS[domain], request)
        if cases_module.fully_correct(actual, expected):
            correct += 1
        elif verbose:
            print(f"  miss [{domain}] {request}\n    got      {actual}\n    expected {expected}")
    print(f"{name}: {correct} of {len(cases)} unseen-domain requests fully correct")
    return correct, len(cases)


def main() -> int:
    """Print the scores on the test cases and on the held-out phrasings."""
    verbose = "--verbose" in sys.argv[1:]
    cases_module = _load(ROOT / "tests" / "test_engine_unseen_domains.py")
    heldout = _load(ROOT / "bench" / "engine_unseen_heldout.py")
    score("test cases", cases_module.CASES, cases_module, verbose=verbose)
    score("held-out phrasings (used for fixes after their first run)", heldout.HELDOUT,
          cases_module, verbose=verbose)  # fmt: skip
    if "--without-final" not in sys.argv[1:]:
        score("second held-out set", heldout.HELDOUT_2, cases_module, verbose=verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
