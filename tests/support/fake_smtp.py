"""A real SMTP server for tests (aiosmtpd) on 127.0.0.1, port 0, in the test's event loop.

It keeps what it accepted, parsed as the recipient's mail program would (``email.policy.
default``), and can be told to refuse: a reply for the next ``DATA``\\s, a reply for a
recipient, or to hold ``DATA`` until the test lets it answer.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from bot.settings import Settings

HOST = "127.0.0.1"


@dataclass
class Received:
    """One accepted e-mail: the envelope's recipients, the parsed message, who logged in."""

    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None
    tls: bool


@dataclass
class MailHandler:
    """What the server does with each command (aiosmtpd's handler hooks)."""

    received: list[Received] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)
    """Replies for the next ``DATA`` commands, in order (``451 …``, ``554 …``)."""
    refuse: dict[str, str] = field(default_factory=dict)
    """A reply to ``RCPT TO`` for these recipients."""
    hold: asyncio.Event | None = None
    """When set, ``DATA`` waits for it before answering."""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    data_commands: int = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_commands += 1
        self.arrived.set()
        if self.hold is not None:
            await self.hold.wait()
        if self.data_replies:
            return self.data_replies.pop(0)
        content = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        login = str(session.auth_data) if session.authenticated else None
        tls = session.ssl is not None
        self.received.append(Received(list(envelope.rcpt_tos), message, login, tls))
        return "250 2.0.0 Queued"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made now with openssl: (cert, key)."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side's TLS context for ``cert``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class SmtpServer:
    """A running server: its port and handler; ``close()`` stops it."""

    port: int
    handler: MailHandler
    server: asyncio.Server

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_smtp(
    handler: MailHandler,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    users: dict[str, str] | None = None,
) -> SmtpServer:
    """Start a server; ``users`` turns login on (required, and only over TLS)."""

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and users is not None
        ok = ok and users.get(data.login.decode()) == data.password.decode()
        login = data.login.decode() if isinstance(data, LoginPassword) else None
        return AuthResult(success=ok, handled=False, auth_data=login)

    def factory() -> SMTP:
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=starttls,
            require_starttls=starttls is not None,
            authenticator=authenticate if users is not None else None,
            auth_required=users is not None,
            auth_require_tls=True,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, HOST, 0, ssl=implicit_tls)
    port = server.sockets[0].getsockname()[1]
    return SmtpServer(port, handler, server)


def parts(message: EmailMessage) -> dict[str, str]:
    """The text and HTML bodies of a received e-mail (line ends as ``\n``)."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    bodies = {"text": str(text.get_content()), "html": str(html.get_content())}
    return {key: body.replace("\r\n", "\n") for key, body in bodies.items()}


class SmtpThread:
    """:func:`start_smtp` in a thread of its own, for code that runs its own event loop
    (a ``controlbot`` command called in the test). Use as a context manager."""

    def __init__(self, handler: MailHandler | None = None) -> None:
        import threading

        self.handler = handler or MailHandler()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(start_smtp(self.handler))
        self.port = server.port
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(server.close())
        self._loop.close()

    def __enter__(self) -> SmtpThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def smtp_settings(port: int, **extra: object) -> Settings:
    """Settings that send e-mail through the test server on ``port`` (no TLS, no login)."""
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_from": "Kontroles robots <robots@parauga-novads.example>",
        "smtp_timeout": 5,
    }
    values.update(extra)
    return Settings.model_validate(values)
