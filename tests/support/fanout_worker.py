"""A process that fans out 300 messages through the real outbox, to be killed with SIGKILL.

``python -m tests.support.fanout_worker DB_URL PLAN OUT queue|send``: ``queue`` puts one
message to each of 300 people in the outbox (once); ``send`` delivers what is due through a
channel that appends each recipient to ``OUT`` (the "platform": what it received survives the
sender's death) and exits when nothing is left. The lease is 1 s so that a row a killed
sender held is taken up again quickly.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import prepare_database
from bot.channel import Address
from bot.messages import Message
from bot.outbox import Outbox
from storage.db import Database
from workflows.calendar import WorkingCalendar
from workflows.clock import SystemClock
from workflows.context import Context
from workflows.notices import Help, Outgoing, ToPerson
from workflows.notices import outbox as queue
from workflows.plan.loader import load_plan

PEOPLE = 300


class Platform:
    """Appends each recipient to a file, as a platform that received the message."""

    platform = "console"

    def __init__(self, out: Path) -> None:
        self.fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def send(self, address: Address, message: Message) -> str | None:
        await asyncio.sleep(0.004)  # the platform's round trip
        os.write(self.fd, f"{address.target}\n".encode())
        return None


async def main(url: str, plan_path: str, out: str, phase: str) -> int:
    plan = load_plan(Path(plan_path))
    ctx = Context(plan, SystemClock(), WorkingCalendar(), ZoneInfo("Europe/Riga"), "lv")
    db = Database.from_url(url)
    if phase == "queue":
        prepare_database(db, ctx, auto_upgrade=True)
        people = [p.id for p in plan.plan.people][:PEOPLE]
        items = [Outgoing(ToPerson(p), Help(False, False)) for p in people]
        outbox = Outbox(ctx, db, {}, "lv")
        db.transaction(lambda s: outbox.enqueue(s, items, origin="system"))
        return 0
    queue.LEASE = timedelta(seconds=1)
    outbox = Outbox(ctx, db, {"console": Platform(Path(out))}, "lv")
    while db.transaction(queue.open_count):
        if not await outbox.pump():
            await asyncio.sleep(0.2)  # a row a killed sender held: its lease runs out
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:5])))
