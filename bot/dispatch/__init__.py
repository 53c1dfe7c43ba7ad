"""This package contains :class:`Dispatcher`: incoming events → domain operations → outbox.

:mod:`bot.dispatch.core` records and routes events, :mod:`bot.dispatch.commands` answers the
chat commands (:mod:`bot.command_table`), :mod:`bot.dispatch.buttons` the pressed buttons,
:mod:`bot.dispatch.strangers` invite codes and unlinked accounts, and :mod:`bot.dispatch.views`
a platform's own UI (home page, whole-form modal).
"""

from bot.dispatch.base import Alert
from bot.dispatch.core import ALERT_PROBLEMS, Dispatcher

__all__ = ["ALERT_PROBLEMS", "Alert", "Dispatcher"]
