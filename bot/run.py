"""This module contains ``controlbot run``: channels and the scheduler in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from functools import partial
from typing import TextIO

import aiohttp

from bot.app import App, build_app
from bot.charts import attach
from bot.console import ConsoleSession
from bot.duties import LeaderDuties
from bot.http import HttpServer
from bot.leadership import AlreadyRunning, Leadership
from bot.probes import Probes
from bot.scheduler import ScheduleRunner
from bot.settings import Settings
from workflows import heap
from workflows.clock import Clock

_LOGGER = logging.getLogger(__name__)

STOP_SECONDS = 7.0
"""The most a stop waits for the platforms (handlers in hand, HTTP requests): with the rest,
``controlbot run`` ends within 10 s of SIGTERM (issue 12 item 9)."""


async def run(
    settings: Settings,
    *,
    clock: Clock | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    exiting: bool = False,
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set): console, scheduler, catch-up.

    The plan is loaded and an SQLite database upgraded at start (PostgreSQL must already be
    at the newest revision). Missed sends are caught up once, right away, from the delivery
    ledger. The console reads standard input while it is open; when it closes (a service
    without a terminal) the process keeps running for the scheduler.

    A SIGINT or SIGTERM during the stop is logged once and changes nothing (the stop ends
    within about 10 s; what is not sent stays queued). With ``exiting`` (the command line,
    whose process ends right after) one that comes after the stop ends the process at once,
    without a traceback: nothing is left to save by then.

    Returns:
        The exit status (0 after a clean stop).
    """
    leadership = Leadership(settings.database_url)
    try:
        leadership.claim_file()  # SQLite: one `controlbot run` per database file
    except AlreadyRunning as exc:
        _LOGGER.error("cannot start: %s", exc)
        return 2
    try:
        app = build_app(settings, clock=clock, out=out, console_fallback=False)
    except BaseException:
        leadership.release_file()
        raise
    app.leadership = leadership
    heap.settle()  # the plan and what start-up built are never scanned again (issue 16)
    _LOGGER.info("controlbot run: %s", settings.safe_repr())
    runner = ScheduleRunner(app.ctx, app.db, app.outbox)
    duties = LeaderDuties(app, runner, leadership)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    noted: list[int] = []  # a signal during the stop is noted once
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, _on_signal, stop, noted)
    http = HttpServer(settings.http_host, settings.http_port, partial(_health, app))
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    Probes(
        app.db,
        app.outbox.metrics,
        app.ctx.clock,
        role=lambda: leadership.role,
        token=metrics_token,
    ).mount(http)
    for platform in app.platforms.values():
        platform.mount(http)
    if settings.api_token is not None:
        from bot.exchange.api import MeasurementsApi

        token = settings.api_token.get_secret_value()
        MeasurementsApi(app.ctx, app.db, app.outbox, app.lang, token).mount(http)
    if settings.web_base_url is not None:
        from bot.web.app import WebView

        secret = settings.web_secret.get_secret_value() if settings.web_secret else None
        base = settings.web_base_url
        WebView(app.ctx, app.db, settings.default_locale, secret, base).mount(http.app)
    try:
        await http.start()
        for platform in app.platforms.values():
            await platform.start()  # long polling, if any, is the leader's (LeaderDuties)
    except _start_errors(app) as exc:
        _LOGGER.error("cannot start: %s", _start_failure(app, exc))
        await _stop_platforms(http, app)
        _remove_signal_handlers(loop)
        await leadership.release()
        app.close()
        return 2
    if not leadership.postgres:
        await duties.begin()  # one process (SQLite): it does everything from the start
    # the election: the leader sweeps, sends fan-outs and retries, and polls Telegram
    election = asyncio.create_task(leadership.watch(stop, duties.changed))
    await app.announce()
    console = ConsoleSession(
        app.dispatcher, app.console, app.ctx.plan, app.ctx.plan.plan.admins[0], app.lang
    )
    reader = asyncio.create_task(console.run_stdin(stdin))
    _LOGGER.info("started; stop with SIGTERM or Ctrl-C")
    try:
        await duties.first_sweep()  # what is due goes out first, as it always did
        waiter = asyncio.create_task(stop.wait())
        done, _pending = await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if reader in done and console.quit_requested:
            stop.set()
        await stop.wait()
        waiter.cancel()
    finally:
        _LOGGER.info("stopping")
        election.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await election
        await duties.end()  # a row the sender had claimed waits out its lease; nothing lost
        await leadership.release()  # another replica leads at once
        try:  # waits for Telegram's pace end at once; what was not sent stays queued
            await asyncio.wait_for(_stop_platforms(http, app), STOP_SECONDS)
        except TimeoutError:
            _LOGGER.warning("the platforms did not stop within %.0f s; leaving", STOP_SECONDS)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        attach.shutdown()
        app.close()
        # only now: a Ctrl-C during the stop is noted, never a KeyboardInterrupt in the middle
        # of closing the database
        _remove_signal_handlers(loop)
        if exiting:  # asyncio's clean-up and the interpreter's exit are left: Ctrl-C ends them
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        _LOGGER.info("stopped")
    return 0


def _on_signal(stop: asyncio.Event, noted: list[int]) -> None:
    """SIGINT/SIGTERM: the first one stops; those during the stop are noted once, no more.

    The stop ends within about 10 s by itself; what has not been sent stays queued in the
    outbox, so there is nothing a second Ctrl-C could save by cutting it short.
    """
    if not stop.is_set():
        stop.set()
        return
    if noted:
        return
    noted.append(1)
    _LOGGER.warning(
        "already stopping (at most %.0f s more); what is not sent stays queued", STOP_SECONDS + 3
    )


async def _stop_platforms(http: HttpServer, app: App) -> None:
    """Stop the HTTP server first (no new webhook requests), then the platforms."""
    app.outbox.stop_waiting()  # replies in hand wait for no earlier row; they stay queued
    await http.stop()
    for platform in app.platforms.values():
        with contextlib.suppress(Exception):  # a half-started platform may refuse
            await platform.stop()


def _remove_signal_handlers(loop: asyncio.AbstractEventLoop) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signum)


def _start_errors(app: App) -> tuple[type[Exception], ...]:
    """What starting the platforms that are on may raise (their libraries load only then)."""
    errors: list[type[Exception]] = [OSError, aiohttp.ClientError]
    for platform in app.platforms.values():
        errors.extend(platform.start_errors)
    return tuple(errors)


def _start_failure(app: App, exc: Exception) -> str:
    """Why start-up failed, for the log; never the token, always the setting to look at."""
    for platform in app.platforms.values():
        reason = platform.start_failure(exc)
        if reason is not None:
            return reason
    return str(exc)


async def _health(app: App) -> dict[str, str]:
    """``/healthz``: each platform that is on is running; the database is ``/readyz``'s."""
    checks: dict[str, str] = {}
    for name, platform in app.platforms.items():
        checks[name] = platform.health()
    return checks
