"""CLI cold start and `toolkit new` against stock cookiecutter, measured in one run.

Targets (issue 2): `toolkit --help` <= 0.3 s; `toolkit new finance --no-input`
<= 1.5x the time of `cookiecutter templates/finance --no-input`.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = 9


def _time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Print medians and ratios."""
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        python_start = [_time([sys.executable, "-c", "pass"], work) for _ in range(ROUNDS)]
        helps = [_time([str(BIN / "toolkit"), "--help"], work) for _ in range(ROUNDS)]
        ours: list[float] = []
        stock: list[float] = []
        for i in range(ROUNDS):  # alternate so drift on a noisy box hits both equally
            ours.append(
                _time([str(BIN / "toolkit"), "new", "finance", "--no-input", "-o", f"o{i}"], work)
            )
            stock.append(
                _time(
                    [
                        str(BIN / "cookiecutter"),
                        str(REPO / "templates" / "finance"),
                        "--no-input",
                        "-o",
                        f"s{i}",
                    ],
                    work,
                )
            )
        help_median = statistics.median(helps)
        base = statistics.median(python_start)
        print(
            f"toolkit --help cold start: median {help_median * 1000:.0f} ms "
            f"(target <= 300 ms; bare python start {base * 1000:.0f} ms, "
            f"ratio {help_median / base:.2f}x)"
        )
        ratio = statistics.median(ours) / statistics.median(stock)
        print(
            f"toolkit new finance --no-input: median {statistics.median(ours) * 1000:.0f} ms; "
            f"stock cookiecutter: {statistics.median(stock) * 1000:.0f} ms; "
            f"ratio {ratio:.2f}x (target <= 1.5x)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
