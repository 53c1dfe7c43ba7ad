"""This module contains ``controlbot run``: channels and the scheduler in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TextIO

from bot.app import build_app
from bot.console import ConsoleSession
from bot.scheduler import ScheduleRunner
from bot.settings import Settings
from workflows.clock import Clock

_LOGGER = logging.getLogger(__name__)


async def run(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set): console, scheduler, catch-up.

    The plan is loaded and an SQLite database upgraded at start (PostgreSQL must already be
    at the newest revision). Missed sends are caught up once, right away, from the delivery
    ledger. The console reads standard input while it is open; when it closes (a service
    without a terminal) the process keeps running for the scheduler.

    Returns:
        The exit status (0 after a clean stop).
    """
    app = build_app(settings, clock=clock, out=out)
    _LOGGER.info("controlbot run: %s", settings.safe_repr())
    runner = ScheduleRunner(app.ctx, app.db, app.outbox)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    runner.start()
    await app.announce()
    console = ConsoleSession(
        app.dispatcher, app.console, app.ctx.plan, app.ctx.plan.plan.admins[0], app.lang
    )
    reader = asyncio.create_task(console.run_stdin(stdin))
    _LOGGER.info("scheduler started; stop with SIGTERM or Ctrl-C")
    try:
        await runner.tick()
        waiter = asyncio.create_task(stop.wait())
        done, _pending = await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if reader in done and console.quit_requested:
            stop.set()
        await stop.wait()
        waiter.cancel()
    finally:
        _LOGGER.info("stopping")
        runner.stop()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
        app.close()
        _LOGGER.info("stopped")
    return 0
