"""``controlbot run`` stops within 10 s of SIGTERM with posts queued behind Telegram's pace
(issue 12 item 9; it took 36 s): every wait for a turn ends at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.fake_telegram import FakeTelegramThread
from tests.support.run_process import start_run

ANNA = 7001


def test_sigterm_with_30_replies_queued_exits_within_10_s_without_a_traceback(
    tmp_path: Path,
) -> None:
    server = FakeTelegramThread()
    with server as fake:
        env = {
            **os.environ,
            "CONTROLBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
            "CONTROLBOT_TELEGRAM_TOKEN": fake.token,
            "CONTROLBOT_TELEGRAM_API_URL": fake.url,
            "CONTROLBOT_HTTP_PORT": "0",
        }
        invite = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "invite",
                "anna-ozola",
                "--bot-username",
                "controlbot_test_bot",
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        code = invite.stdout.split("start=")[1].split()[0]
        process = start_run(env, tmp_path)
        try:
            deadline = time.monotonic() + 60
            while not fake.sent(method="getUpdates") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert process.poll() is None
            server.call_soon(lambda: fake.user_says(ANNA, f"/start {code}"))
            while not fake.sent(ANNA) and time.monotonic() < deadline:  # the greeting
                time.sleep(0.05)
            for _ in range(30):  # 30 replies to one private chat: 30 s at one a second
                server.call_soon(lambda: fake.user_says(ANNA, "/help"))
            while len(fake.sent(ANNA)) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(fake.sent(ANNA)) >= 3
            stopping = time.monotonic()
            process.send_signal(signal.SIGTERM)
            _out, err = process.communicate(timeout=30)
            took = time.monotonic() - stopping
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        replies = len(fake.sent(ANNA))
    assert process.returncode == 0, err
    assert took < 10.0, f"stopping took {took:.1f} s"
    assert "Traceback" not in err
    assert replies < 31  # there were posts still queued when it stopped
