"""This module contains :class:`LeaderDuties`: what only the leader replica does.

The scheduler's sweeps, the outbox's background sender (fan-outs at the bot's one pace,
retries, rows a dead replica had claimed), the catch-up of inbound events that were recorded
and are still not applied a few seconds later (the replica that took them died), and Telegram
long polling. They start when :class:`bot.leadership.Leadership` says this process leads and
stop when it no longer does; with SQLite the one process does them from the start.

Every replica, leader or not, answers requests, applies the events it received and sends its
own replies to the person who wrote at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from bot.app import App
from bot.leadership import Leadership
from bot.scheduler import ScheduleRunner
from storage.db import Database
from workflows.notices import outbox as queue
from workflows.reports import deliveries as reports

_LOGGER = logging.getLogger(__name__)

SETTLED_POLL_SECONDS = 0.5
"""How often a follower looks whether the leader has sent a fan-out it queued."""
CATCH_UP_SECONDS = 5.0
"""How often the leader applies inbound events still pending since its previous look."""


@runtime_checkable
class Poller(Protocol):
    """A platform that may receive by long polling (Telegram): one process per bot polls."""

    poll_on_start: bool

    @property
    def polls(self) -> bool:
        """Whether this platform receives by long polling (not a webhook)."""

    async def start_polling(self) -> None:
        """Start long polling."""

    async def stop_polling(self) -> None:
        """Stop long polling."""


def pollers(app: App) -> list[Poller]:
    """The platforms of ``app`` that receive by long polling (the leader's duty)."""
    return [p for p in app.platforms.values() if isinstance(p, Poller) and p.polls]


class LeaderDuties:
    """Starts and stops the leader's work as the role changes.

    Args:
        app: The wired application.
        runner: The scheduler.
        leadership: The election (the outbox asks it whether to send fan-outs itself).
    """

    def __init__(self, app: App, runner: ScheduleRunner, leadership: Leadership) -> None:
        self.app = app
        self.runner = runner
        self.leadership = leadership
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._first_sweep: asyncio.Task[None] | None = None
        app.outbox.fan_out = self._fan_out
        for poller in pollers(app):
            poller.poll_on_start = False  # the leader polls (begin), not every replica

    async def _fan_out(self, ids: Sequence[int]) -> None:
        """An admin's fan-out: the leader sends it; a follower leaves it to the leader."""
        if self.leadership.is_leader:
            await self.app.outbox.send_now(ids, exclusive=True)
        else:
            await left_to_leader(self.app.db, ids)

    async def changed(self, leading: bool) -> None:
        """Take up the duties (``leading``) or put them down."""
        if leading:
            await self.begin()
        else:
            await self.end()
            if pollers(self.app):
                _LOGGER.warning(
                    "Telegram long polling runs in the leader replica; this replica stands by "
                    "and polls if it becomes the leader"
                )

    async def begin(self) -> None:
        """Start the sweeps, the background sender, the catch-up and Telegram polling."""
        if self._tasks:
            return
        self._stop = asyncio.Event()
        self.runner.start()
        self._first_sweep = asyncio.create_task(self.runner.tick())  # what is due, right away
        self._tasks = [
            asyncio.create_task(self.app.outbox.run(self._stop)),
            asyncio.create_task(self._catch_up(self._stop)),
        ]
        for poller in pollers(self.app):  # may retry a while
            self._tasks.append(asyncio.create_task(poller.start_polling()))

    async def first_sweep(self) -> None:
        """Wait for the sweep begun when the duties were taken up (if they were)."""
        if self._first_sweep is not None:
            await asyncio.shield(self._first_sweep)

    async def end(self) -> None:
        """Stop all of it; a row the sender had claimed waits out its lease (nothing lost).

        A sweep under way finishes (its sends are in the ledger and the outbox either way).
        """
        self._stop.set()
        self.runner.stop()
        sweep, self._first_sweep = self._first_sweep, None
        if sweep is not None:
            await sweep
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for poller in pollers(self.app):
            with contextlib.suppress(Exception):
                await poller.stop_polling()

    async def _catch_up(self, stop: asyncio.Event) -> None:
        """Apply events recorded and left pending: all at once with SQLite, then stale ones."""
        inbox = self.app.dispatcher.inbox
        stale: set[int] = set()
        if not self.leadership.postgres:  # one process: whatever is pending is from before
            recovered = await inbox.recover()
            if recovered:
                _LOGGER.info(
                    "applied the events of %d people recorded before the last stop", recovered
                )
        while not stop.is_set():
            try:
                recovered = await inbox.recover(stale=stale)
                if recovered:
                    _LOGGER.info("applied the pending events of %d people", recovered)
            except Exception:  # the database may be away for a moment: next time
                _LOGGER.exception("applying pending inbound events failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), CATCH_UP_SECONDS)


async def left_to_leader(db: Database, ids: Sequence[int]) -> None:
    """Wait until the leader's background sender has settled the outbox rows ``ids``.

    A follower does this for a fan-out it queued (Telegram's 30 messages a second are per
    bot: one sender keeps that pace), so that the acknowledgement still reports the outcome.
    It waits at most as long as acknowledgements are held
    (:data:`workflows.reports.deliveries.HELD`), after which the acknowledgement goes anyway.
    """
    for _ in range(int(reports.HELD.total_seconds() / SETTLED_POLL_SECONDS)):
        rows = await db.run(lambda s: queue.by_ids(s, ids))
        if not any(row.status in queue.OPEN for row in rows):
            return
        await asyncio.sleep(SETTLED_POLL_SECONDS)
