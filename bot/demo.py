"""This module contains ``controlbot demo``: one complete control round on the console.

On a fresh SQLite file (only ever replacing a database the demo made itself), with the
bundled plan, on a fixed date (3 November 2026, 09:00 in Riga) with a seeded
previous period, scripted console lines go through the real dispatcher: the administrator
opens the October round, two role holders answer (one with a Latvian decimal comma, one
mistyping a value first), a value is critical and opens an improvement decision, another
role holder finds everything answered and cannot decide in the approver's place, the summary
reaches the team channel, and the approver approves the decision, which is posted.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.app import App, build_app
from bot.console import ConsoleSession
from bot.settings import Settings
from workflows import audit
from workflows.clock import FixedClock
from workflows.context import Context
from workflows.periods import Period
from workflows.plan.loader import bundled_plan_path
from workflows.rounds.measuring import new_measurement
from workflows.rounds.opening import new_round

DEMO_DATABASE = Path("var/demo.sqlite3")
DEMO_START = datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("Europe/Riga"))
ACTIVITY = "dzivesvietas-deklaresana"

SEEDED_PERIOD = "2026-09"
SEEDED_VALUES = {
    # indicator id: (value, who measured it, comment)
    "dd-avg-processing": (Decimal("1.3"), "anna-ozola", "Septembrī vairāk pieteikumu"),
    "dd-within-sla": (Decimal("93.5"), "peteris-liepa", "Atvaļinājumu laiks"),
    "dd-e-share": (Decimal("66.0"), "janis-berzins", None),
}

SCRIPT: tuple[str, ...] = (
    f"/remind {ACTIVITY} 2026-10",
    "/as janis-berzins",
    "1",
    "6O,5",
    "58,5",
    "Portāla e-pakalpojuma saite nedarbojās 5 darba dienas",
    "1",
    "/as anna-ozola",
    "1",
    "0,9",
    "88,5",
    "Pēc DVS atjauninājuma rindā uzkrājās pieteikumi; divi darbinieki slimoja",
    "1",
    "/as peteris-liepa",
    "1",
    "/approve 1",
    "/as kristaps-sils",
    "/summary pk-dzivesvieta 2026-10",
    "/as janis-berzins",
    "/pending",
    "1",
    "Pārdalīt rindu starp klientu centriem un apmācīt divus aizvietotājus",
    "2",
    "30.11.2026.",
    "1",
)
"""The scripted console lines, in order (the transcript echoes each after its prompt)."""


def seed_previous_period(app: App) -> None:
    """Store September 2026 values of the demo activity (the previous period)."""
    ctx: Context = app.ctx
    period = Period.parse(SEEDED_PERIOD)

    def work(session: Session) -> None:
        control_round = new_round(ctx, ACTIVITY, period, "system", status="closed")
        session.add(control_round)
        session.flush()
        for indicator_id, (value, person, comment) in SEEDED_VALUES.items():
            session.add(new_measurement(ctx, control_round, indicator_id, value, comment, person))
        audit.record(session, ctx, "system", DEMO_MARK, f"round:{control_round.id}")

    app.db.transaction(work)


DEMO_MARK = "demo.seeded"
"""The audit action that marks a database as the demo's own (safe to replace)."""


class NotADemoDatabase(RuntimeError):
    """The demo refuses to replace a file it did not create."""


def _is_demo_database(path: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            marked = conn.execute(
                "SELECT 1 FROM audit_entry WHERE action = ? LIMIT 1", (DEMO_MARK,)
            ).fetchone()
            untouched = conn.execute("SELECT 1 FROM audit_entry LIMIT 1").fetchone() is None
    except sqlite3.DatabaseError:
        return path.stat().st_size == 0
    return marked is not None or untouched


def fresh_database(path: Path) -> str:
    """Delete an earlier demo database (with its WAL files) and return a new one's URL.

    Raises:
        NotADemoDatabase: If ``path`` exists but is not a database the demo made; the demo
            never deletes anything else.
    """
    if path.exists() and not _is_demo_database(path):
        raise NotADemoDatabase(str(path))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


async def run_demo(
    settings: Settings,
    *,
    database: Path = DEMO_DATABASE,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
    script: tuple[str, ...] = SCRIPT,
) -> App:
    """Run the scripted round, then read more console lines from ``stdin`` until its end.

    Returns:
        The application (its database holds the round's results).
    """
    clock = FixedClock(DEMO_START)
    start = clock.now()
    url = fresh_database(database)
    # the script needs the bundled plan, whatever CONTROLBOT_PLAN says; its made-up people
    # are played on the console, never e-mailed
    demo_settings = settings.model_copy(update={"plan": bundled_plan_path(), "smtp_host": None})
    app = build_app(demo_settings, clock=clock, out=out, database_url=url)
    seed_previous_period(app)
    session = ConsoleSession(app.dispatcher, app.console, app.ctx.plan, "kristaps-sils", app.lang)
    for step, line in enumerate(script):
        clock.set(start + timedelta(minutes=2 * step))
        await session.run_script([line])
    await session.run_stdin(stdin)
    return app
