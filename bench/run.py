"""Run every bench/bench_*.py script in turn (`make bench`).

The real-engine comparisons (llama-server with a small model) are not among them: they need
the engine built once (`make llama`) and run with `make bench-llama` (bench/llama_engine.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run each benchmark script; return non-zero if any failed."""
    failed = 0
    for script in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        failed |= subprocess.run([sys.executable, str(script)], check=False).returncode != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
