"""This package contains :class:`Dispatcher`: incoming events → domain operations → outbox.

:mod:`bot.dispatch.core` records and routes events, :mod:`bot.dispatch.commands` answers the
chat commands and :mod:`bot.dispatch.buttons` the pressed buttons.
"""

from bot.dispatch.core import ALERT_PROBLEMS, Alert, Dispatcher

__all__ = ["ALERT_PROBLEMS", "Alert", "Dispatcher"]
