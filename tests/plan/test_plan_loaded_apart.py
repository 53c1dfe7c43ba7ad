"""Issue 16: a large plan is loaded in a child process, and is the same plan.

Loading a national plan builds ~200 MB of temporaries that Python would keep as the
process's memory; a forked child loads it and sends it back pickled. A fork needs a process
with one thread, which a test run is not, so each check runs in a fresh interpreter, with the
size threshold set to zero so that the bundled plan takes that path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workflows.plan.loader import bundled_plan_path

ROOT = Path(__file__).parents[2]
CHECK = """
import os, sys
from pathlib import Path
from workflows.plan import apart
from workflows.plan.errors import PlanError
from workflows.plan.loader import load_default_plan, load_plan

apart.APART_FROM_BYTES = 0
forks = []
real_fork = os.fork
os.fork = lambda: forks.append(1) or real_fork()
path = Path(sys.argv[1])
try:
    loaded = load_default_plan(path)
except PlanError as apart_error:
    try:
        load_plan(path)
    except PlanError as here_error:
        print("forks", len(forks), "same issues", apart_error.issues == here_error.issues)
    raise SystemExit(0)
here = load_plan(path)
same = (
    loaded.plan == here.plan
    and loaded.sources == here.sources
    and [a.id for a in loaded.activities] == [a.id for a in here.activities]
    and loaded.person("anna-ozola") == here.person("anna-ozola")
)
print("forks", len(forks), "same plan", same)
"""


def _check(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return done.stdout.strip()


def test_a_plan_loaded_apart_is_the_plan_loaded_here() -> None:
    assert _check(bundled_plan_path()) == "forks 1 same plan True"


def test_a_broken_plan_loaded_apart_reports_what_loading_here_reports(tmp_path: Path) -> None:
    broken = tmp_path / "plan.yaml"
    text = (bundled_plan_path() / "parauga-novads.yaml").read_text("utf-8")
    broken.write_text(text.replace("frequency: monthly", "frequency: hourly", 1), "utf-8")
    assert _check(broken) == "forks 1 same issues True"
