"""Benchmark: CPU per typed form value in ``controlbot run`` with Telegram on (issue 16).

A real ``controlbot run`` process (long polling, against the fake Bot API server of
``tests/support/fake_telegram.py`` on 127.0.0.1) is given 100 people × 4 typed values: each
person has a monthly round of four numeric indicators and a form open at its first
question; each person types a value, waits for the robot's next question, types the next
one. In the same run, the reference: a bare python-telegram-bot echo bot (its own
``Application``, polling the same kind of fake) gets the same 400 messages the same way and
echoes each. Both run as child processes; their CPU (user + system, every thread, read from
``/proc/<pid>/stat``) over the typed values is divided by the number of values. Both are fed
at the same pace (``--rate`` values a second overall, under Telegram's 30 a second that the
product keeps), so both processes are up for about the same time. Runs are interleaved
(product, echo, echo, product, …) and the medians printed with their ratio and the load.

Setting up (the plan, linking the accounts, opening the rounds, ``/pending`` and the
"Enter measurements" press that opens each form, one warm-up person's values) is outside
the measured window.

Run: PYTHONPATH=. .venv/bin/python bench/bench_form_cpu.py [--runs 3] [--people 100]
    [--rate 20] [--url postgresql+psycopg://…] [--profile OUT.txt [--gil]] [--before TREE]

``--before TREE`` also runs ``controlbot run`` from another tree (``git archive`` of an
earlier commit), interleaved with the others, for a before/after figure of the same run.

``--profile`` records the product's measured window (and the echo bot's, beside it as
``OUT.echo.txt``) with py-spy (``py-spy`` on ``PATH`` or
``PY_SPY``; not a dependency of the project: ``pip install --target /tmp/pyspy py-spy``) as
folded stacks, every thread, idle samples left out.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SELF = str(Path(__file__).resolve())
ROOT = Path(SELF).parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pyspy import Spy, split  # noqa: E402
from bench.telegram_load import CountingTelegram, Pace, cpu_seconds  # noqa: E402
from tests.support.fake_telegram import TOKEN  # noqa: E402

VALUES = ("0,9", "96,5", "75", "5,50")
"""One person's four typed values, each ok and on target (no comment asked)."""
PERIOD = "2026-11"
FIRST_USER = 700_000


# --- the plan and the database ------------------------------------------------------------


def bench_plan(people: int) -> dict[str, Any]:
    """The bundled plan with ``people`` copies of one service of four monthly indicators,
    each measured by its one co-responsible person (``measurer-N``)."""
    from workflows.plan.loader import bundled_plan_path

    base = yaml.safe_load((bundled_plan_path() / "parauga-novads.yaml").read_text("utf-8"))
    template = next(s for s in base["services"] if s["id"] == "dzivesvietas-deklaresana")
    template.pop("capabilities", None)
    template["indicators"] = [
        {**indicator, "frequency": "monthly", "measured_by": "L"}
        for indicator in template["indicators"]
        if indicator["id"] != "dd-satisfaction"
    ]
    services = []
    for n in range(people):
        service = copy.deepcopy(template)
        service["id"] = f"bench-{n}"
        for indicator in service["indicators"]:
            indicator["id"] = f"{indicator['id']}-{n}"
        service["responsibility"]["pakalpojuma"] = {
            "A": [{"role": "pakalpojuma_saimnieks", "person": f"owner-{n}"}],
            "L": [{"role": "pakalpojuma_sniedzejs", "person": f"measurer-{n}"}],
        }
        base["people"] += [
            {"id": f"owner-{n}", "name": f"Vadītājs {n}"},
            {"id": f"measurer-{n}", "name": f"Mērītājs {n}"},
        ]
        services.append(service)
    base["services"] = services
    return base


def prepare(url: str, plan_path: Path, people: int) -> None:
    """A fresh database: schema, the plan's people, accounts linked, the rounds open."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from bot.app import prepare_database
    from storage.db import Database, make_engine
    from workflows.calendar import WorkingCalendar
    from workflows.clock import SystemClock
    from workflows.context import Context
    from workflows.people import enrolment
    from workflows.plan.loader import load_plan
    from workflows.rounds.opening import open_round

    if not url.startswith("sqlite"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    riga = ZoneInfo("Europe/Riga")
    ctx = Context(load_plan(plan_path), SystemClock(), WorkingCalendar(), riga, "lv")
    db = Database.from_url(url)
    prepare_database(db, ctx, auto_upgrade=True)

    def setup(session: Any) -> None:
        for n in range(people):
            enrolment.link(session, ctx, f"measurer-{n}", "telegram", str(FIRST_USER + n))
            open_round(session, ctx, f"bench-{n}", PERIOD, "system")

    db.transaction(setup)
    db.dispose()


# --- measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One side's figure of one run."""

    cpu_per_value: float
    wall: float
    values: int
    idle_per_second: float


async def type_values(fake: CountingTelegram, users: list[int], pace: Pace) -> int:
    """Each user types :data:`VALUES`, each after the reply to the previous one."""

    async def person(user: int) -> int:
        chat = str(user)
        for value in VALUES:
            await pace.slot()
            seen = fake.replies[chat]
            fake.user_says(user, value)
            await fake.reply_after(chat, seen)
        return len(VALUES)

    return sum(await asyncio.gather(*(person(u) for u in users)))


async def window(
    fake: CountingTelegram, pid: int, users: list[int], rate: float, spy: Spy | None
) -> Figure:
    """Idle CPU for 2 s, then the typed values' CPU (optionally under py-spy)."""
    await fake.quiet()
    idle_from = cpu_seconds(pid)
    await asyncio.sleep(2.0)
    idle = (cpu_seconds(pid) - idle_from) / 2.0
    if spy is not None:
        spy.attach(pid)
    started, cpu_from = time.monotonic(), cpu_seconds(pid)
    values = await type_values(fake, users, Pace(rate))
    await fake.quiet(0.3)
    cpu, wall = cpu_seconds(pid) - cpu_from, time.monotonic() - started
    if spy is not None:
        spy.detach()
    return Figure(cpu / values, wall, values, idle)


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a child in ``log``'s folder, its output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            cwd=log.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and wait (the fake server keeps answering meanwhile)."""
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.to_thread(process.wait, 20)
    except subprocess.TimeoutExpired:
        process.kill()
        await asyncio.to_thread(process.wait)


# --- the product --------------------------------------------------------------------------


async def product(
    url: str,
    plan_path: Path,
    people: int,
    rate: float,
    folder: Path,
    spy: Spy | None = None,
    root: Path = ROOT,
) -> Figure:
    """One ``controlbot run`` with ``people`` forms open; the typed values' figure."""
    prepare(url, plan_path, people)
    fake = CountingTelegram()
    await fake.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "CONTROLBOT_DATABASE_URL": url,
        "CONTROLBOT_PLAN": str(plan_path),
        "CONTROLBOT_HTTP_PORT": "0",
        "CONTROLBOT_TELEGRAM_TOKEN": TOKEN,
        "CONTROLBOT_TELEGRAM_API_URL": fake.url,
        "CONTROLBOT_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-c",
        "import sys; from bot.cli.entry import main; sys.exit(main())",
        "run",
    ]
    process = _spawn(command, env, folder / f"product-{root.name}.log")
    try:
        await fake.polled()
        users = [FIRST_USER + n for n in range(people)]
        await asyncio.gather(*(open_form(fake, u) for u in users))
        await type_values(fake, [FIRST_USER], Pace(rate))  # measurer-0's form: a warm-up
        await fake.quiet()
        await _reopen(fake, FIRST_USER)
        return await window(fake, process.pid, users, rate, spy)
    finally:
        await _stop(process)
        await fake.stop()


async def open_form(fake: CountingTelegram, user: int) -> None:
    """``/pending``, then the press of its first button: the form's first question."""
    chat = str(user)
    seen = fake.replies[chat]
    fake.user_says(user, "/pending")
    listing = await fake.reply_after(chat, seen)
    data = listing.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    seen = fake.replies[chat]
    fake.user_presses(user, data, listing)
    await fake.reply_after(chat, seen)


async def _reopen(fake: CountingTelegram, user: int) -> None:
    """The warm-up person's form is at its confirmation: cancel it and open it again."""
    chat = str(user)
    seen = fake.replies[chat]
    fake.user_says(user, "/cancel")
    await fake.reply_after(chat, seen)
    await open_form(fake, user)


# --- the reference: a bare echo bot -------------------------------------------------------


def echo_bot(api_url: str) -> None:
    """A bare python-telegram-bot echo bot (run in its own process by :func:`reference`)."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    app = Application.builder().token(TOKEN).base_url(api_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(timeout=30, allowed_updates=["message", "edited_message", "callback_query"])


async def reference(people: int, rate: float, folder: Path, spy: Spy | None = None) -> Figure:
    """The echo bot given the same messages the same way; its figure."""
    fake = CountingTelegram()
    await fake.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = _spawn([sys.executable, SELF, "--echo-bot", fake.url], env, folder / "echo.log")
    try:
        await fake.polled()
        users = [FIRST_USER + n for n in range(people)]
        await type_values(fake, [FIRST_USER], Pace(rate))  # the same warm-up
        return await window(fake, process.pid, users, rate, spy)
    finally:
        await _stop(process)
        await fake.stop()


# --- main ---------------------------------------------------------------------------------


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--url", default=None, help="database URL (default: an SQLite file)")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--gil", action="store_true", help="profile only the GIL's holder")
    parser.add_argument("--before", type=Path, default=None, help="an earlier tree, run too")
    parser.add_argument("--echo-bot", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_bot(args.echo_bot)
        return
    sides = ["product", "echo"] + (["before"] if args.before else [])
    figures: dict[str, list[Figure]] = {side: [] for side in sides}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan_path = folder / "plan.yaml"
        plan_path.write_text(yaml.safe_dump(bench_plan(args.people), allow_unicode=True))
        for run in range(args.runs):
            for side in sides if run % 2 == 0 else sides[::-1]:
                if side == "echo":
                    echo_out = args.profile.with_suffix(".echo.txt") if args.profile else None
                    spy = Spy(echo_out, args.gil) if echo_out and run == 0 else None
                    figure = asyncio.run(reference(args.people, args.rate, folder, spy))
                else:
                    url = args.url or f"sqlite:///{folder / f'run{run}-{side}.sqlite3'}"
                    root = args.before.resolve() if side == "before" else ROOT
                    spy = Spy(args.profile, args.gil) if args.profile and run == 0 else None
                    spy = spy if side == "product" else None
                    figure = asyncio.run(
                        product(url, plan_path, args.people, args.rate, folder, spy, root)
                    )
                figures[side].append(figure)
                loads.append(os.getloadavg()[0])
                print(
                    f"run {run + 1} {side:7s}: {figure.cpu_per_value * 1000:6.2f} ms CPU per "
                    f"value ({figure.values} values in {figure.wall:.1f} s; idle "
                    f"{figure.idle_per_second * 1000:.0f} ms CPU a second); load {_load()}",
                    flush=True,
                )
    medians = {side: statistics.median(f.cpu_per_value for f in figures[side]) for side in sides}
    mine, theirs = medians["product"], medians["echo"]
    pairs = zip(figures["product"], figures["echo"], strict=True)
    ratios = sorted(p.cpu_per_value / e.cpu_per_value for p, e in pairs)
    before = (
        f"; before {medians['before'] * 1000:.2f} ms ({medians['before'] / theirs:.1f}x)"
        if args.before
        else ""
    )
    print(
        f"median CPU per typed value: product {mine * 1000:.2f} ms, echo bot "
        f"{theirs * 1000:.2f} ms, ratio {mine / theirs:.1f}x (per run "
        f"{ratios[0]:.1f}-{ratios[-1]:.1f}x){before}; load {min(loads):.2f}-{max(loads):.2f} "
        f"({args.people} people x {len(VALUES)} values, {args.rate:g} a second, "
        f"{'PostgreSQL' if args.url else 'SQLite'})"
    )
    if args.profile is not None:  # run 1's product was recorded
        print(f"where run 1's {figures['product'][0].cpu_per_value * 1000:.2f} ms went:")
        for part, samples, ms in split(args.profile, figures["product"][0].cpu_per_value * 1000):
            print(f"  {ms:6.2f} ms  {samples:6d} samples  {part}")
        print(f"and the echo bot's {figures['echo'][0].cpu_per_value * 1000:.2f} ms:")
        echo_out = args.profile.with_suffix(".echo.txt")
        for part, samples, ms in split(echo_out, figures["echo"][0].cpu_per_value * 1000):
            print(f"  {ms:6.2f} ms  {samples:6d} samples  {part}")


if __name__ == "__main__":
    main()
