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

from bot.app import App
from bot.leadership import Leadership
from bot.scheduler import ScheduleRunner

_LOGGER = logging.getLogger(__name__)

CATCH_UP_SECONDS = 5.0
"""How often the leader applies inbound events still pending since its previous look."""


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
        app.outbox.sends_fanouts = lambda: leadership.is_leader

    async def changed(self, leading: bool) -> None:
        """Take up the duties (``leading``) or put them down."""
        if leading:
            await self.begin()
        else:
            await self.end()
            telegram = self.app.telegram
            if telegram is not None and telegram.polls:
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
        if self.app.telegram is not None and self.app.telegram.polls:  # may retry a while
            self._tasks.append(asyncio.create_task(self.app.telegram.start_polling()))

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
        if self.app.telegram is not None and self.app.telegram.polls:
            with contextlib.suppress(Exception):
                await self.app.telegram.stop_polling()

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
