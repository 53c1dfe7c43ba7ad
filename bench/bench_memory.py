"""Benchmark: memory of ``controlbot run`` on a national-scale plan, and what each package costs.

1. Each package the bot imports, alone in a fresh interpreter: the RSS once imported (the
   interpreter's own is the first line).
2. ``controlbot run`` as a subprocess on a plan of about 1,000 activities and 10,000 people
   (:mod:`bench.national`), a fresh SQLite file, the console only (no platform tokens; a
   Telegram or Slack connection adds its library's import, see the table) and the HTTP
   server on a free port: once ``/healthz`` answers, its peak RSS (``VmHWM``) and current
   RSS are read from ``/proc``; then it is stopped with SIGTERM. The first start also
   creates the database and stores the 10,000 people; the second start (same database) is
   the everyday case.

Run: PYTHONPATH=. .venv/bin/python bench/bench_memory.py [ACTIVITIES] [PEOPLE]
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.national import write_national

ROOT = Path(__file__).parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PACKAGES = (
    "",
    "yaml",
    "pydantic",
    "babel.numbers",
    "holidays",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "apscheduler",
    "aiohttp",
    "telegram.ext",
    "slack_bolt",
    "openpyxl",
    "matplotlib",
    "workflows.plan.loader",
    "bot.app",
    "bot.run",
)


def package_cost(name: str) -> int:
    """RSS in KiB of a fresh interpreter once it has imported ``name`` (nothing for "")."""
    code = (f"import {name}\n" if name else "") + (
        "print([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])"
    )
    found = subprocess.run(
        [PYTHON, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def run_once(plan: Path, database: Path) -> tuple[float, dict[str, int]]:
    """Start ``controlbot run``, wait for /healthz, read its memory, stop it."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONTROLBOT_")},
        "CONTROLBOT_PLAN": str(plan),
        "CONTROLBOT_DATABASE_URL": f"sqlite:///{database}",
        "CONTROLBOT_HTTP_PORT": str(port),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [ROOT / ".venv" / "bin" / "controlbot", "run"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"controlbot run exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        ready = time.perf_counter() - started
        time.sleep(1)  # the first sweep runs at start
        return ready, status(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)


def main(activities: int, people: int) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| import | RSS |")
    print("| --- | --- |")
    for name in PACKAGES if "--no-packages" not in sys.argv else ():
        print(f"| {name or '(python alone)'} | {package_cost(name) / 1024:.0f} MB |")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_national(folder / "plan.yaml", activities, people)
        print(f"\nplan: {activities} activities, {people} people, {plan.stat().st_size >> 10} KiB")
        print("| start | ready after | peak RSS | RSS when ready |")
        print("| --- | --- | --- | --- |")
        for label in ("first (creates the database)", "second (same database)"):
            ready, memory = run_once(plan, folder / "bot.sqlite3")
            print(
                f"| {label} | {ready:.1f} s | {memory['VmHWM'] / 1024:.0f} MB | "
                f"{memory['VmRSS'] / 1024:.0f} MB |"
            )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3] if a.isdigit()]
    main(*(args + [1000, 10_000][len(args) :]))
