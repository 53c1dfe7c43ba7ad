"""This module keeps secrets out of every output: messages, logs and tracebacks.

The secrets are the settings in :data:`bot.settings.SECRET_FIELDS`: the tokens, and the
password inside ``CONTROLBOT_DATABASE_URL`` in each form it can be printed in (as typed, e.g.
``p%40ss``, and decoded, ``p@ss``). :func:`redact` replaces each with ``***``.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote

from bot.settings import SECRET_FIELDS, Settings

MASK = "***"
_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^:/@?#]*:([^@/?#]*)@")


def url_password_forms(url: str) -> set[str]:
    """The password of a database URL in every form it may be printed in (empty: none)."""
    match = _USERINFO.match(url.strip())
    if not match or not match[1]:
        return set()
    raw = match[1]
    plain = unquote(raw)
    return {form for form in (raw, plain, quote(plain, safe=""), quote_plus(plain)) if form}


def secrets_of(settings: Settings) -> list[str]:
    """Every secret text of ``settings``, longest first (so none is masked only in part)."""
    found: set[str] = set(url_password_forms(settings.database_url))
    for name in SECRET_FIELDS - {"database_url"}:
        value = getattr(settings, name, None)
        if value is not None:
            found.add(value.get_secret_value())
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def redacted_traceback(exc: BaseException, secrets: Iterable[str]) -> str:
    """The traceback of ``exc`` as Python prints it, with every secret masked."""
    return redact("".join(traceback.format_exception(exc)), list(secrets))


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the message and the traceback of each record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; every record is kept."""
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info[1], self.secrets).rstrip("\n")
            record.exc_info = None
        record.msg, record.args = redact(message, self.secrets), ()
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def guard_logging(settings: Settings) -> None:
    """Put a :class:`RedactingFilter` on every handler of the root logger."""
    secrets = secrets_of(settings)
    if not secrets:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(secrets))
