"""This module contains how ``controlbot`` logs: UTC timestamps, levels, text or JSON lines.

``CONTROLBOT_LOG_FORMAT=text`` (the default) writes one line per record::

    2026-12-07T18:05:46.123Z INFO bot.run: scheduler started; stop with SIGTERM or Ctrl-C

``json`` writes one JSON object per line, for log shippers (journald forwarders, Vector,
Fluent Bit, Promtail): ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``,
``message`` and, for an error with a traceback, ``exception``. Secrets are masked either way:
:func:`bot.redaction.guard_logging` puts its filter on the handler, and a handler's filters run
before its formatter, so both formats see the masked message and traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import TextIO

from bot.redaction import guard_logging
from bot.settings import Settings

QUIET_LIBRARIES = ("apscheduler", "httpx", "aiohttp.access")
"""Libraries that log every job or request at INFO: kept at WARNING unless the level is DEBUG."""
OWN_LOGGERS = ("bot", "workflows", "storage")


def _utc_time(record: logging.LogRecord) -> str:
    """``record``'s creation time as ``2026-12-07T18:05:46.123Z``."""
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """``TIME LEVEL logger: message`` with the time in UTC (and the traceback below)."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line (plus its traceback's lines, if any)."""
        return f"{_utc_time(record)} {super().format(record)}"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines inside are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object: ``time``, ``level``, ``logger``, ``message``."""
        data: dict[str, object] = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False)


class _OwnHandler(logging.StreamHandler[TextIO]):
    """The handler :func:`configure_logging` installs (so a second call replaces it)."""


def configure_logging(
    settings: Settings, *, default_level: int = logging.WARNING, stream: TextIO | None = None
) -> logging.Handler | None:
    """Set the level and format of the process's logs from the settings.

    ``CONTROLBOT_LOG_LEVEL`` applies to every logger (libraries that log each request or job
    at INFO stay at WARNING unless it is DEBUG); unset, the libraries log warnings and our
    own loggers ``default_level``. Our handler on the root logger (standard error) gets the
    format; when something else already handles the root logger (a test harness), its
    handlers are left as they are. Secrets are masked on every handler (:mod:`bot.redaction`).

    Args:
        settings: ``log_level`` and ``log_format``.
        default_level: The level when ``CONTROLBOT_LOG_LEVEL`` is unset.
        stream: Where our handler writes (default: standard error).

    Returns:
        The handler installed, or ``None`` when the root logger had others.
    """
    explicit = logging.getLevelName(settings.log_level) if settings.log_level else None
    root_level = explicit if explicit is not None else logging.WARNING
    own_level = explicit if explicit is not None else default_level
    root = logging.getLogger()
    handler: _OwnHandler | None = None
    for old in [h for h in root.handlers if isinstance(h, _OwnHandler)]:
        root.removeHandler(old)
    if stream is not None or not root.handlers:
        handler = _OwnHandler(stream if stream is not None else sys.stderr)
        json_lines = settings.log_format == "json"
        handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
        root.addHandler(handler)
    root.setLevel(root_level)
    for name in OWN_LOGGERS:  # below the root's level only when more is wanted of our own
        logging.getLogger(name).setLevel(own_level if own_level < root_level else logging.NOTSET)
    quiet = root_level if root_level <= logging.DEBUG else max(root_level, logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(quiet)
    guard_logging(settings)
    return handler
