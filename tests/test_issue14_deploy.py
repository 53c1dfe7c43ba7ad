"""Issue 14 item 4: the files in ``deploy/`` are accepted by the tools that will read them.

``nginx -t`` checks deploy/nginx/controlbot.conf as Debian's nginx.conf would include it,
with a throw-away self-signed certificate in place of Let's Encrypt's, every path nginx
writes under ``tmp_path`` and ports 80 and 443 moved to free loopback ports (``nginx -t``
binds them), so it runs as any user; then a real nginx with it serves a real
``controlbot run`` while the other upstream replica is down. ``systemd-analyze verify``
checks the units. Each test is skipped, saying why, where its tool is not installed (``.ci/run``
installs Debian's nginx).
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.run import run
from bot.settings import SECRET_FIELDS, Settings
from bot.telegram.service import SECRET_HEADER, WEBHOOK_PATH
from tests.support.fake_telegram import TOKEN, FakeTelegram

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
SITE = DEPLOY / "nginx" / "controlbot.conf"
UNIT = DEPLOY / "systemd" / "controlbot@.service"
LIVE = "/etc/letsencrypt/live/controlbot.example.lv/"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
    if found is None:
        pytest.skip(f"{name} is not installed here (.ci/run installs Debian's nginx)")
    return found


def _free_port(family: socket.AddressFamily, host: str) -> int:
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _local_ports(site: str) -> tuple[str, dict[str, int]]:
    """``listen 80`` and ``443`` moved to free ports on the loopback: ``nginx -t`` binds them
    (as any user, and a port in use fails it). IPv6 lines are dropped where there is none."""
    try:
        v6 = {port: _free_port(socket.AF_INET6, "::1") for port in ("80", "443")}
    except OSError:
        v6 = {}
    v4 = {port: _free_port(socket.AF_INET, "127.0.0.1") for port in ("80", "443")}

    def move(match: re.Match[str]) -> str:
        ipv6, port, rest = match.group(1) is not None, match.group(2), match.group(3)
        if ipv6:
            return f"listen [::1]:{v6[port]}{rest}" if v6 else "# (no IPv6 here)"
        return f"listen 127.0.0.1:{v4[port]}{rest}"

    return re.sub(r"listen (\[::\]:)?(80|443)\b([^\n]*)", move, site), v4


def _configure(nginx: str, tmp_path: Path, site: str) -> tuple[list[str], dict[str, int]]:
    """A minimal nginx.conf including ``site``, every path in tmp_path.

    Returns:
        nginx's arguments for it, and the loopback ports that took 80's and 443's place.
    """
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=controlbot.example.lv",
            "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    local, ports = _local_ports(site.replace(LIVE, f"{tmp_path}/"))
    (tmp_path / "controlbot.conf").write_text(local)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"{temp}\n"
        f"    include {tmp_path}/controlbot.conf;\n"
        "}\n"
    )
    args = [nginx, "-p", f"{tmp_path}/", "-e", f"{tmp_path}/error.log",
            "-c", f"{tmp_path}/nginx.conf"]  # fmt: skip
    return args, ports


def _nginx_t(nginx: str, tmp_path: Path, site: str) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on ``site`` inside a minimal nginx.conf whose every path is in tmp_path."""
    args, _ports = _configure(nginx, tmp_path, site)
    return subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=60)


def test_issue14_nginx_accepts_the_deploy_config(tmp_path: Path) -> None:
    nginx = _tool("nginx")
    _tool("openssl")
    site = SITE.read_text()
    assert LIVE in site  # the certificate paths this test replaces
    checked = _nginx_t(nginx, tmp_path, site)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


def test_issue14_nginx_test_would_catch_a_broken_config(tmp_path: Path) -> None:
    nginx = _tool("nginx")
    _tool("openssl")
    broken = SITE.read_text().replace("keepalive 16;", "keepalive 16", 1)
    checked = _nginx_t(nginx, tmp_path, broken)
    assert checked.returncode != 0 and "test failed" in checked.stderr


def test_issue14_nginx_routes_what_the_bot_serves_and_guards_metrics() -> None:
    site = SITE.read_text()
    upstream = re.search(r"upstream controlbot \{(.*?)\}", site, re.S)
    assert upstream is not None
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", upstream.group(1))
    assert ports == ["8081", "8082"]  # two replicas: controlbot@8081, controlbot@8082
    from bot.exchange.api import PATH
    from bot.slack.service import EVENTS_PATH
    from bot.telegram.service import WEBHOOK_PATH

    for path in (WEBHOOK_PATH, EVENTS_PATH, PATH):
        assert f"location = {path} {{" in site
    assert "location /web/ {" in site
    for port in ports:  # each replica's metrics, never the balanced upstream's
        block = re.search(rf"location = /metrics/{port} \{{(.*?)\}}", site, re.S)
        assert block is not None
        assert "deny all;" in block.group(1)
        assert f"proxy_pass http://127.0.0.1:{port}/metrics;" in block.group(1)
    assert "location = /metrics {" not in site


def test_issue14_systemd_units_verify(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    controlbot = Path(sys.executable).parent / "controlbot"
    unit = UNIT.read_text().replace("/opt/controlbot/venv/bin/controlbot", str(controlbot))
    (tmp_path / "controlbot@8081.service").write_text(unit)
    for name in ("controlbot-backup.service", "controlbot-backup.timer"):
        shutil.copy(DEPLOY / "systemd" / name, tmp_path / name)
    checked = subprocess.run(
        [analyze, "verify", "--man=no", "controlbot@8081.service",
         "controlbot-backup.service", "controlbot-backup.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == "", checked.stderr  # not even a warning


def test_issue14_env_example_holds_no_secret() -> None:
    example = (DEPLOY / "systemd" / "controlbot.env.example").read_text()
    settings = re.findall(r"^([A-Z_]+)=", example, re.M)

    secret_names = {f"CONTROLBOT_{name.upper()}" for name in SECRET_FIELDS}
    assert settings and not secret_names & set(settings)
    assert "CONTROLBOT_HTTP_PORT" not in settings  # the unit's instance sets it


async def test_issue14_nginx_in_front_of_a_replica_routes_and_steps_over_a_dead_one(
    tmp_path: Path,
) -> None:
    """The deploy config, served by a real nginx (TLS on a loopback port), in front of a real
    ``controlbot run`` with Telegram in webhook mode; the other upstream replica is down."""
    nginx = _tool("nginx")
    _tool("openssl")
    dead = _free_port(socket.AF_INET, "127.0.0.1")  # nothing listens there
    live = _free_port(socket.AF_INET, "127.0.0.1")
    site = SITE.read_text().replace("8081", str(dead)).replace("8082", str(live))
    args, ports = _configure(nginx, tmp_path, site)
    fake = FakeTelegram()
    await fake.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        http_port=live,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake.url,
        telegram_webhook_url="https://controlbot.example.lv" + WEBHOOK_PATH,
        telegram_webhook_secret=SecretStr("hook-Secret_14"),
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run(settings, stdin=io.StringIO(""), out=io.StringIO(), stop=stop))
    server = await asyncio.create_subprocess_exec(
        *args, "-g", "daemon off;", stderr=asyncio.subprocess.PIPE
    )
    https = f"https://127.0.0.1:{ports['443']}"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False)) as http:
            for _ in range(200):  # until nginx and the replica answer
                try:
                    async with http.get(https + "/readyz") as response:
                        if response.status == 200 and fake.sent(method="setWebhook"):
                            break
                except aiohttp.ClientConnectorError:
                    pass
                await asyncio.sleep(0.05)
            else:
                pytest.fail("nginx or the replica did not start")
            for _ in range(4):  # round robin: the dead replica's turns go to the live one
                async with http.get(https + "/readyz") as response:
                    assert response.status == 200
                    assert (await response.json())["status"] == "ready"
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 1_790_000_000,
                    "chat": {"id": 1402, "type": "private"},
                    "from": {"id": 1402, "is_bot": False, "first_name": "A"},
                    "text": "/help",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                },
            }
            hook = {SECRET_HEADER: "hook-Secret_14"}
            async with http.post(https + WEBHOOK_PATH, json=update, headers=hook) as response:
                assert response.status == 200
            await fake.wait_for(lambda: fake.texts(1402))  # the bot got it and answered
            async with http.get(https + WEBHOOK_PATH) as response:
                assert response.status == 403  # only POST passes
            async with http.get(https + f"/metrics/{live}") as response:
                assert response.status == 200  # from the loopback: allowed
                assert "controlbot_outbox_depth" in await response.text()
            async with http.get(https + f"/metrics/{dead}") as response:
                assert response.status == 502  # each replica's own, no balancing
            for path in ("/metrics", "/api/other", "/.env"):
                async with http.get(https + path) as response:
                    assert response.status == 404, path
            async with http.get(https + "/", allow_redirects=False) as response:
                assert response.status == 302
                assert response.headers["Location"].endswith("/web/")
                assert "max-age=63072000" in response.headers["Strict-Transport-Security"]
            plain = f"http://127.0.0.1:{ports['80']}/readyz"
            async with http.get(plain, allow_redirects=False) as response:
                assert response.status == 301
                assert response.headers["Location"].startswith("https://")
    finally:
        server.terminate()
        _out, errors = await server.communicate()
        stop.set()
        assert await asyncio.wait_for(bot, 30) == 0
        await fake.stop()
    assert b"[emerg]" not in errors, errors
