"""This module contains readiness: may this process take requests (``GET /readyz``)?

A process is ready when its database answers and the schema is one this release can work
with. ``current``: the database is at the newest revision this release knows. ``behind``: an
older revision, or an empty database (run ``controlbot db upgrade``): not ready. ``ahead``:
a revision this release does not know, which only a newer release can have written — the
first half of a rolling upgrade (``controlbot db upgrade`` with the new release, then each
replica restarted). Migrations stay compatible with the previous release (README, "Running
in production"), so such a process stays ready until its turn to restart.

The process's role (``leader``, ``follower`` or ``single``) is read through a
:data:`RoleSource`: ``single`` until leader election says otherwise; every role is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storage.migrate import alembic_config, current_revision

RoleSource = Callable[[], str]
"""Answers this process's role now: ``"leader"``, ``"follower"`` or ``"single"``."""
ROLES = ("leader", "follower", "single")
RUNS_SWEEPS = frozenset({"leader", "single"})
"""Roles that run the scheduler's sweeps and the outbox sender."""
READY_TIMEOUT_SECONDS = 3.0
"""The longest ``/readyz`` waits for the database before it reports it unreachable."""

MigrationState = Literal["current", "behind", "ahead"]

_PROBES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
"""Readiness asks the database here, not in the pool every ``Database.run`` uses: probes that
hang on an unreachable database queue behind each other (and time out) instead of taking the
threads the bot's own transactions need."""


def single() -> str:
    """The role of a process without leader election: it does everything itself."""
    return "single"


def migration_state(revision: str | None, head: str | None, known: set[str]) -> MigrationState:
    """Where the database's ``revision`` stands against this release's ``head``.

    Args:
        revision: The database's revision (``None``: empty database).
        head: The newest revision this release's scripts have.
        known: Every revision this release's scripts have.
    """
    if revision == head:
        return "current"
    if revision is None or revision in known:
        return "behind"
    return "ahead"


@dataclass(frozen=True)
class Readiness:
    """The answer of one readiness check: whether ready, and the JSON body that says why."""

    ready: bool
    body: dict[str, str]


class ReadinessCheck:
    """Checks the database and its schema; reports the role.

    The scripts' revisions are read once, when the check is made: a release replaced on disk
    during a rolling upgrade does not change what the running code expects.

    Args:
        engine: The database's engine.
        role: This process's role (default :func:`single`).
        timeout: Seconds to wait for the database.
    """

    def __init__(
        self,
        engine: Engine,
        role: RoleSource = single,
        timeout: float = READY_TIMEOUT_SECONDS,
    ) -> None:
        self.engine = engine
        self.role = role
        self.timeout = timeout
        scripts = ScriptDirectory.from_config(alembic_config(engine))
        self.head = scripts.get_current_head()
        self.known = {script.revision for script in scripts.walk_revisions()}

    async def check(self) -> Readiness:
        """Ask the database for its revision; ready unless unreachable or behind."""
        role = self.role()
        try:
            asking = asyncio.get_running_loop().run_in_executor(
                _PROBES, current_revision, self.engine
            )
            revision = await asyncio.wait_for(asking, self.timeout)
        except TimeoutError:
            return _not_ready(role, f"database unreachable: no answer in {self.timeout:.0f} s")
        except Exception as exc:  # whatever the driver raises, the answer is "not ready"
            return _not_ready(role, f"database unreachable: {type(exc).__name__}")
        state = migration_state(revision, self.head, self.known)
        body = {
            "database": "ok",
            "migrations": state,
            "revision": revision or "",
            "head": self.head or "",
            "role": role,
        }
        if state == "behind":
            reason = "migrations behind: run controlbot db upgrade"
            return Readiness(False, {"status": "not ready", "reason": reason, **body})
        return Readiness(True, {"status": "ready", **body})


def _not_ready(role: str, reason: str) -> Readiness:
    return Readiness(
        False, {"status": "not ready", "reason": reason, "database": "error", "role": role}
    )
