"""Issue 14 item 4: the README's backup and restore commands (``pg_dump``, ``pg_restore``) give
back the database as it was, at the schema revision ``/readyz`` calls current."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import prepare_database
from bot.health import ReadinessCheck
from storage.db import Database
from storage.messages import OutboxMessage
from storage.models import Person
from tests.conftest import PG_ENV, _reset_postgres
from tests.support.flow import rows
from workflows.context import Context
from workflows.notices import Outgoing, ToPerson, problem
from workflows.notices import outbox as queue


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no ``+driver``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_issue14_pg_dump_and_pg_restore_round_trip(tmp_path: Path, ctx: Context) -> None:
    url = os.environ.get(PG_ENV)
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed here")
    _reset_postgres(url)
    db = Database.from_url(url)
    try:
        prepare_database(db, ctx, auto_upgrade=True)
        db.transaction(
            lambda s: queue.enqueue(
                s, ctx, [Outgoing(ToPerson("anna-ozola"), problem("internal_error"))]
            )
        )
        people = {p.id for p in rows(db, Person)}
        queued = [(m.recipient, m.kind, m.status) for m in rows(db, OutboxMessage)]
        last_id = max(m.id or 0 for m in rows(db, OutboxMessage))
        dump = tmp_path / "controlbot.dump"
        subprocess.run(  # README: backups
            ["pg_dump", "--format=custom", f"--file={dump}", _libpq(url)],
            check=True,
            capture_output=True,
        )
        _reset_postgres(url)  # the database is lost
        db.engine.dispose()
        subprocess.run(  # README: restore
            ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}",
             str(dump)],
            check=True,
            capture_output=True,
        )  # fmt: skip
        assert {p.id for p in rows(db, Person)} == people and people
        assert [(m.recipient, m.kind, m.status) for m in rows(db, OutboxMessage)] == queued
        ready = asyncio.run(ReadinessCheck(db.engine).check())
        assert ready.ready and ready.body["migrations"] == "current"
        more = db.transaction(
            lambda s: queue.enqueue(
                s, ctx, [Outgoing(ToPerson("janis-berzins"), problem("internal_error"))]
            )
        )
        assert more[0] > last_id  # the sequences were restored too
    finally:
        db.dispose()
        _reset_postgres(url)
