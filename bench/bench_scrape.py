"""What a Prometheus scrape of ``GET /metrics`` costs with a large outbox (issue 14).

The outbox keeps every row it ever delivered; the scrape counts only the open ones (one
``GROUP BY`` on the status index). The reference is the same count over every status, which
a "depth of every state" would need: it reads the whole table.

    PYTHONPATH=. .venv/bin/python bench/bench_scrape.py 200000
    CONTROLBOT_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_bench \
        PYTHONPATH=. .venv/bin/python bench/bench_scrape.py 200000
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import text

from bot.http import HttpServer
from bot.metrics import Metrics
from bot.probes import Probes
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import _reset_postgres
from workflows.clock import SystemClock

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
REPEAT = 50


def fill(db: Database, rows: int) -> None:
    """``rows`` outbox rows, one in 400 still queued, the rest delivered."""
    batch = 10_000
    with db.engine.begin() as connection:
        for start in range(0, rows, batch):
            connection.execute(
                text(
                    "INSERT INTO outbox_message (recipient_kind, recipient, kind, payload,"
                    " status, created_at, not_before, expires_at, attempts)"
                    " VALUES ('person', :r, 'Reminder', '{}', :s, :t, :t, :t, 1)"
                ),
                [
                    {
                        "r": f"p{n % 500}",
                        "s": "queued" if n % 400 == 0 else "delivered",
                        "t": "2026-12-07 09:00:00",
                    }
                    for n in range(start, min(start + batch, rows))
                ],
            )
        connection.execute(text("ANALYZE"))


def timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return (time.perf_counter() - started) * 1000


async def scrapes(db: Database) -> list[float]:
    server = HttpServer("127.0.0.1", 0)
    Probes(db, Metrics(), SystemClock()).mount(server)
    url = f"http://127.0.0.1:{await server.start()}/metrics"
    found = []
    async with aiohttp.ClientSession() as http:
        for _ in range(REPEAT + 1):
            started = time.perf_counter()
            async with http.get(url) as response:
                assert response.status == 200
                await response.read()
            found.append((time.perf_counter() - started) * 1000)
    await server.stop()
    return found[1:]  # the first opens the pool


def main() -> None:
    url = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        if url is None:
            url = f"sqlite:///{Path(folder) / 'scrape.sqlite3'}"
        else:
            _reset_postgres(url)
        db = Database.from_url(url)
        upgrade(db.engine)
        fill(db, ROWS)
        ours = "SELECT status, count(*) FROM outbox_message"
        ours += " WHERE status IN ('queued', 'sending') GROUP BY status"
        every = "SELECT status, count(*) FROM outbox_message GROUP BY status"
        open_ms, every_ms = [], []
        for _ in range(REPEAT):  # interleaved: both see the same load
            with db.engine.connect() as connection:
                open_ms.append(timed(lambda: connection.execute(text(ours)).all()))
                every_ms.append(timed(lambda: connection.execute(text(every)).all()))
        scrape_ms = asyncio.run(scrapes(db))
        db.dispose()
        if url.startswith("postgresql"):
            _reset_postgres(url)
    name = url.split(":", 1)[0]
    print(f"{name}, {ROWS:,} outbox rows ({ROWS // 400:,} queued), median of {REPEAT}:")
    print(f"  open rows GROUP BY (the scrape's): {statistics.median(open_ms):7.2f} ms")
    print(f"  every status GROUP BY (reference): {statistics.median(every_ms):7.2f} ms")
    print(f"  GET /metrics over HTTP:           {statistics.median(scrape_ms):7.2f} ms")


if __name__ == "__main__":
    main()
