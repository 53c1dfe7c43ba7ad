"""Fail when a package's branch coverage falls below its floor; raise floors with --ratchet.

``make test`` runs the tests under coverage (branch coverage, see ``[tool.coverage]`` in
pyproject.toml) and writes ``var/coverage.json``; this script sums it per top-level package
(``bot``, ``workflows``, ``storage``) the way coverage.py counts a total with branches:
(covered lines + covered branches) / (lines + branches). The floors are in
``tools/coverage-floors.json``. They only go up: ``--ratchet`` sets each floor to the current
figure (rounded down to 0.1) when that is higher, never lower.

The floors are measured as CI runs the tests, on PostgreSQL too. Without
``CONTROLBOT_TEST_DATABASE_URL`` the PostgreSQL-only tests and branches do not run, so each
floor is lowered by :data:`NO_POSTGRES_ALLOWANCE` points (and nothing is ratcheted).

Usage:
    python tools/coverage_floor.py [--ratchet] [var/coverage.json]

Exit status: 0 when every package is at or above its floor, 1 when one is below, 2 when the
report is missing.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

FLOORS = Path(__file__).with_name("coverage-floors.json")
DEFAULT_REPORT = Path("var/coverage.json")
NO_POSTGRES_ALLOWANCE = 2.0
"""Points a floor is lowered by when the tests ran on SQLite only."""


def per_package(report: dict[str, object]) -> dict[str, float]:
    """Branch coverage in percent per top-level package of a coverage.py JSON report."""
    sums: dict[str, list[int]] = {}
    files = report["files"]
    assert isinstance(files, dict)
    for name, data in files.items():
        package = Path(name).parts[0]
        summary = data["summary"]
        covered = summary["covered_lines"] + summary.get("covered_branches", 0)
        total = summary["num_statements"] + summary.get("num_branches", 0)
        counts = sums.setdefault(package, [0, 0])
        counts[0] += covered
        counts[1] += total
    return {p: 100.0 * c / t for p, (c, t) in sorted(sums.items()) if t}


def main(argv: list[str]) -> int:
    """Check (or ratchet) the floors; see the module docstring."""
    ratchet = "--ratchet" in argv
    paths = [a for a in argv if not a.startswith("--")]
    report_path = Path(paths[0]) if paths else DEFAULT_REPORT
    if not report_path.exists():
        print(f"coverage floor: no report at {report_path} (run make test)", file=sys.stderr)
        return 2
    figures = per_package(json.loads(report_path.read_text(encoding="utf-8")))
    floors: dict[str, float] = json.loads(FLOORS.read_text(encoding="utf-8"))
    postgres = bool(os.environ.get("CONTROLBOT_TEST_DATABASE_URL"))
    allowance = 0.0 if postgres else NO_POSTGRES_ALLOWANCE
    if not postgres:
        print(f"coverage: SQLite only, floors lowered by {allowance} points")
    below = []
    for package, stated in floors.items():
        current = figures.get(package, 0.0)
        floor = stated - allowance
        mark = "ok" if current >= floor else "BELOW FLOOR"
        print(f"coverage {package:<10} {current:5.1f} % (floor {floor:.1f} %) {mark}")
        if current < floor:
            below.append(package)
    if ratchet and postgres:
        raised = {p: max(f, math.floor(figures.get(p, 0.0) * 10) / 10) for p, f in floors.items()}
        if raised != floors:
            FLOORS.write_text(json.dumps(raised, indent=2) + "\n", encoding="utf-8")
            print(f"coverage floors raised in {FLOORS}: commit it")
    if below:
        print(
            "coverage fell below the floor in: " + ", ".join(below) + " (add tests; floors "
            "never go down)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
