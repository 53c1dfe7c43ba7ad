"""Benchmark helper: py-spy on a child process, and where its samples went.

py-spy is not a dependency of the project: ``pip install --target /tmp/pyspy py-spy`` (or
``PY_SPY`` naming the binary). :func:`split` sorts folded stacks (``--format raw``) into the
parts issue 16 asks about: the database work in worker threads (by unit of work), the thread
hops, python-telegram-bot and its HTTP client, rendering, our own code on the event loop.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

HOPS = (
    "to_thread",
    "BaseEventLoop.run_in_executor",
    "ThreadPoolExecutor.submit",
    "wrap_future",
    "_chain_future.<locals>._call_set_state",
    "_copy_future_state",
    "BaseSelectorEventLoop._write_to_self",
)
"""Loop-side functions of a hop to a worker thread and back."""
LIBRARIES = ("telegram/", "httpx", "httpcore", "h11", "anyio")
RENDERING = ("bot/render", "babel", "bot/i18n.py", "bot/telegram/markup.py")
_FRAME = re.compile(r"(.*) \((.*?):\d+\)")


class Spy:
    """py-spy recording one process's window as folded stacks (``--gil``: the GIL's holder)."""

    def __init__(self, out: Path, gil: bool) -> None:
        self.out = out
        self.gil = gil
        self._process: subprocess.Popen[bytes] | None = None

    def attach(self, pid: int) -> None:
        binary = os.environ.get("PY_SPY") or shutil.which("py-spy") or "/tmp/pyspy/bin/py-spy"
        env = {**os.environ, "PYTHONPATH": os.environ.get("PYSPY_PATH", "/tmp/pyspy")}
        command = [binary, "record", "--pid", str(pid), "--format", "raw", "--threads"]
        command += ["--rate", "250", "--output", str(self.out), "--nonblocking"]
        command += ["--gil"] if self.gil else []
        self._process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(1.0)  # attached before the first value

    def detach(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)
            self._process.wait(60)


def _frame(text: str) -> tuple[str, str]:
    """``function (path:line)`` → (function, path from the package or project root)."""
    match = _FRAME.match(text)
    if match is None:
        return text, ""
    path = re.sub(r".*(site-packages|python3\.\d+)/", "", match.group(2))
    for top in ("bot/", "workflows/", "storage/"):
        if f"/{top}" in path:
            path = top + path.split(f"/{top}", 1)[1]
    return match.group(1), path


def _part(thread: str, frames: list[tuple[str, str]]) -> str:
    functions = [f for f, _ in frames]
    files = [p for _, p in frames]
    leaf = files[-1] if files else ""
    if "render" in thread or any(p.startswith(RENDERING) for p in files):
        return "rendering, i18n and Telegram markup"
    if "MainThread" not in thread:
        if "Database.transaction" in functions:
            index = functions.index("Database.transaction") + 1
            work = functions[index] if index < len(functions) else "transaction"
            return "database: " + ("commit" if "commit" in work.lower() else work)
        return "thread hops (worker side)"
    if any(p.startswith(LIBRARIES) for p in files):
        if leaf.startswith("bot/"):
            return "our Telegram glue (bot/telegram, on the loop)"
        return "python-telegram-bot and HTTP"
    if any(f in HOPS for f in functions) or leaf.startswith("concurrent"):
        return "thread hops (loop side)"
    if leaf.startswith(("bot/", "workflows/", "storage/", "sqlalchemy", "sqlmodel")):
        return "our code on the loop"
    return "event loop (selector, tasks)"


def split(folded: Path, per_value_ms: float) -> list[tuple[str, int, float]]:
    """Samples by part: (part, samples, ms per value scaled from ``per_value_ms``)."""
    parts: Counter[str] = Counter()
    for line in folded.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        thread, *frames = stack.split(";")
        parts[_part(thread, [_frame(f) for f in frames])] += int(count)
    total = sum(parts.values()) or 1
    return [(part, n, per_value_ms * n / total) for part, n in parts.most_common()]
