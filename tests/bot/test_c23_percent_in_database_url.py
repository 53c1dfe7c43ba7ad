"""C23: a percent sign in the database URL works, and no secret appears in any output.

Every command runs as a real ``controlbot`` process, as an administrator runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

CONTROLBOT = str(Path(sys.executable).with_name("controlbot"))
PASSWORD_FORMS = ("p%40ss", "p@ss")


def _run(argv: list[str], url: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTROLBOT_")}
    env.update(CONTROLBOT_DATABASE_URL=url, CONTROLBOT_DEFAULT_LOCALE="en", **extra)
    return subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False
    )


def _no_password(done: subprocess.CompletedProcess[str]) -> None:
    for form in PASSWORD_FORMS:
        assert form not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "folder", ["var/J%C4%81%C5%86a%20dati", "var/Jāņa dati"], ids=["escaped", "letters"]
)
def test_c23_sqlite_file_under_a_latvian_folder(tmp_path: Path, folder: str) -> None:
    (tmp_path / "var" / "Jāņa dati").mkdir(parents=True)
    url = f"sqlite:///{tmp_path}/{folder}/kontrole.sqlite3"
    upgraded = _run([CONTROLBOT, "db", "upgrade"], url, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "var" / "Jāņa dati" / "kontrole.sqlite3").exists()
    checked = _run([CONTROLBOT, "plan", "check"], url, tmp_path)
    assert checked.returncode == 0, checked.stderr


def test_c23_escaped_password_on_postgresql(tmp_path: Path) -> None:
    server = os.environ.get("CONTROLBOT_TEST_DATABASE_URL")
    if not server:
        pytest.skip("CONTROLBOT_TEST_DATABASE_URL is not set")
    from tests.conftest import _reset_postgres

    _reset_postgres(server)  # an empty database, whatever an earlier run left in it
    url = make_url(server).set(password="p@ss").render_as_string(hide_password=False)
    assert "p%40ss" in url
    done = _run([CONTROLBOT, "db", "upgrade"], url, tmp_path)
    _no_password(done)
    # a server that checks passwords refuses p@ss; either way no interpolation error
    assert "interpolation" not in done.stderr
    assert done.returncode == 0 or "Cannot use the database" in done.stderr


def test_c23_unreachable_server_hides_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://kontrole:p%40ss@127.0.0.1:1/kontrole"
    done = _run([CONTROLBOT, "db", "upgrade"], url, tmp_path)
    assert done.returncode == 1
    assert "postgresql+psycopg://kontrole:***@127.0.0.1:1/kontrole" in done.stderr
    _no_password(done)


_CRASH = """
import logging, sys
import bot.cli.database
from bot.cli import main

def crash(settings):
    logging.getLogger("bot").error("connecting to %s", settings.database_url)
    raise RuntimeError("unexpected, with " + settings.database_url + " and p@ss")

bot.cli.database.db_upgrade = crash
sys.exit(main(["db", "upgrade"]))
"""


def test_c23_traceback_and_log_of_an_unexpected_error_hide_every_secret(
    tmp_path: Path,
) -> None:
    url = "postgresql+psycopg://kontrole:p%40ss@127.0.0.1:1/kontrole"
    token = "123456:AAHsecretsecretsecretsecret"
    done = _run([sys.executable, "-c", _CRASH], url, tmp_path, CONTROLBOT_TELEGRAM_TOKEN=token)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "RuntimeError: unexpected" in done.stderr
    assert "connecting to postgresql+psycopg://kontrole:***@" in done.stderr
    _no_password(done)
    assert token not in done.stderr
