"""Benchmark: how fast ``controlbot --help`` and an argument error come back.

Runs each command line 10 times as a fresh process (as a user does) and prints the median
wall-clock time beside ``python -c pass``, the floor any Python program pays.

Run: .venv/bin/python bench/cli_help.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

CONTROLBOT = str(Path(sys.executable).with_name("controlbot"))
RUNS = 10

CASES = [
    ("python -c pass", [sys.executable, "-c", "pass"]),
    ("controlbot --help", [CONTROLBOT, "--help"]),
    ("controlbot export --help", [CONTROLBOT, "export", "--help"]),
    ("controlbot remind (argument error)", [CONTROLBOT, "remind"]),
]


def median_seconds(argv: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"{'command':<38} {'median':>8}  ({RUNS} runs each)")
    for name, argv in CASES:
        print(f"{name:<38} {median_seconds(argv):>7.3f}s")


if __name__ == "__main__":
    main()
