"""``controlbot run`` as a real child process, for tests of signals and stops."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def start_run(env: Mapping[str, str], cwd: Path) -> subprocess.Popen[str]:
    """Start ``python -m bot run`` with ``env`` in ``cwd``: no stdin, stdout and stderr piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        text=True,
    )
