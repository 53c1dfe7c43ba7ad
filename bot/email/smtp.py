"""This module contains :func:`submit`: one message handed to the SMTP server, and its outcome.

Each message is one SMTP session (connect, STARTTLS or implicit TLS, login, ``MAIL``,
``RCPT``, ``DATA``, ``QUIT``) through aiosmtplib. It counts as sent only when the server
answered ``DATA`` with 250: from then on delivering it is the server's job. The server's
answers are sorted for the outbox (RFC 5321 §4.2.1: 4yz is transient, 5yz permanent):

* every recipient refused with a 5yz reply: :class:`~bot.channel.Unreachable` with the reason
  code ``address_refused`` (the recipient does not exist, the domain takes no mail);
* the message itself refused with a 5yz reply (``MAIL``/``DATA``: too big, rejected as
  spam): :class:`~bot.channel.Unreachable` with ``message_refused``;
* a 4yz reply anywhere, a refused login (the settings need fixing; the message waits), no
  connection, a timeout, a broken TLS handshake: :class:`~bot.channel.TemporaryFailure`,
  so the outbox tries again after its back-off.

Recipients refused while others were accepted are logged; the message went to the others.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib

from bot.channel import Address, TemporaryFailure, Unreachable

_LOGGER = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server.

    Attributes:
        host: Its host name or address.
        port: Its port.
        security: ``starttls`` (upgrade a plain connection; the server must offer it),
            ``tls`` (implicit TLS from the first byte) or ``none``.
        username: Login name, ``None`` for no login.
        password: Login password (never logged).
        sender: The envelope and ``From`` address, maybe with a display name.
        timeout: Seconds to wait for the server at each step.
        tls_context: Certificates to trust (default: the system's).
    """

    host: str
    port: int
    security: Security
    username: str | None
    password: str | None
    sender: str
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None

    def __repr__(self) -> str:
        return f"SmtpConfig({self.host}:{self.port}, {self.security}, user={self.username})"


async def submit(
    config: SmtpConfig, message: EmailMessage, recipients: Sequence[str], address: Address
) -> None:
    """Hand ``message`` to the server for ``recipients``; returns once it accepted it.

    Raises:
        Unreachable: If the server refused every recipient, or the message, for good (5yz).
        TemporaryFailure: If it answered 4yz, refused the login, or could not be reached.
    """
    client = aiosmtplib.SMTP(
        hostname=config.host,
        port=config.port,
        use_tls=config.security == "tls",
        start_tls=config.security == "starttls",
        username=config.username,
        password=config.password if config.username else None,
        timeout=config.timeout,
        tls_context=config.tls_context,
    )
    try:
        async with client:
            refused, _reply = await client.send_message(message, recipients=list(recipients))
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise _refused(address, exc.recipients) from None
    except aiosmtplib.SMTPRecipientRefused as exc:
        raise _refused(address, [exc]) from None
    except aiosmtplib.SMTPAuthenticationError as exc:
        _LOGGER.error("the SMTP server refused the login of %s: %s", config.username, exc.code)
        raise TemporaryFailure(f"SMTP login refused: {exc.code} {exc.message}") from None
    except aiosmtplib.SMTPResponseException as exc:
        if 500 <= exc.code < 600:
            reason = f"{exc.code} {exc.message}"
            raise Unreachable(address, reason, code="message_refused") from None
        raise TemporaryFailure(f"SMTP {exc.code} {exc.message}") from None
    except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
        raise TemporaryFailure(f"SMTP server {config.host}:{config.port}: {exc}") from None
    for recipient, response in refused.items():
        _LOGGER.warning("%s refused %s: %s", config.host, recipient, response)


def _refused(address: Address, refusals: Sequence[aiosmtplib.SMTPRecipientRefused]) -> Exception:
    """Every recipient was refused: for good if each refusal was 5yz, else not now."""
    reason = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refusals)
    if refusals and all(500 <= r.code < 600 for r in refusals):
        return Unreachable(address, reason, code="address_refused")
    return TemporaryFailure(f"SMTP recipients refused for now: {reason}")
