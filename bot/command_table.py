"""This module contains the command table: every chat command, once, for everyone who lists them.

The dispatcher answers exactly these commands (:mod:`bot.dispatch.commands` has one handler
per name), Slack's ``/control`` sub-commands are these names (:mod:`bot.slack.blocks`), the
Telegram menu (``setMyCommands``) shows those with a ``menu`` text and ``/help`` prints the
``help`` line of those the reader may use (:mod:`bot.render.misc`), in this order.
tests/bot/test_issue15_command_table.py proves that the four agree. Adding a command: a row
here, a handler registered under its name, and its strings in the catalogues.

Console-only commands (``/as``, ``/quit``) and Slack's ``/control measure`` belong to their
platform, not to this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.i18n import N_
from bot.platform import PLATFORMS

Audience = Literal["everyone", "approver", "manager", "admin"]
"""Who may use a command (and sees it in ``/help``); only ``admin`` is enforced here, the
others by the domain (an approver's own decision, a manager's activities)."""


@dataclass(frozen=True)
class Command:
    """One chat command.

    Attributes:
        name: Typed after the slash, ASCII lower case (Telegram allows ``[a-z0-9_]{1,32}``).
        audience: Who may use it.
        menu: The Telegram menu's description (a message id), or ``None`` to leave it out.
        help: Its ``/help`` line (a message id), or ``None`` when another line covers it.
        syntax: When set, the line is ``syntax — help`` with only ``help`` translated;
            else ``help`` is the whole line, syntax included.
    """

    name: str
    audience: Audience = "everyone"
    menu: str | None = None
    help: str | None = None
    syntax: str | None = None


COMMANDS: tuple[Command, ...] = (
    Command("start", menu=N_("start: what waits for you")),
    Command(
        "pending",
        menu=N_("what waits for you: measurements and decisions"),
        syntax="/pending",
        help=N_("what waits for you: measurements and decisions"),
    ),
    Command(
        "cancel",
        menu=N_("cancel the form in progress"),
        syntax="/cancel",
        help=N_("cancel the form in progress; nothing is saved"),
    ),
    Command(
        "back",
        menu=N_("go back one question"),
        syntax="/back",
        help=N_("go back one question; your answers are kept"),
    ),
    Command(
        "indicators",
        menu=N_("your indicators and their history"),
        syntax="/indicators",
        help=N_("your indicators, numbered, with their history"),
    ),
    Command(
        "history",
        menu=N_("an indicator's last values"),
        help=N_("/history INDICATOR [N] — the indicator's last N values"),
    ),
    Command(
        "correct",
        menu=N_("correct a value you submitted"),
        help=N_("/correct [INDICATOR] — correct a value you submitted (with a reason)"),
    ),
    Command(
        "action",
        menu=N_("update your improvement action"),
        help=N_("/action N in-progress|done — update the improvement action you carry out"),
    ),
    Command(
        "lang",
        menu=N_("choose the language"),
        syntax="/lang lv|en|auto",
        help=N_("choose the language"),
    ),
    Command(
        "platform",
        syntax="/platform " + "|".join((*PLATFORMS, "auto")),
        help=N_("where your messages come when you use several chat apps"),
    ),
    Command(
        "away",
        menu=N_("tell the bot you are away"),
        help=N_("/away FROM TO — away: reminders held, a deputy measures; /away cancel"),
    ),
    Command(
        "web",
        menu=N_("a sign-in link to the web view"),
        syntax="/web",
        help=N_("a sign-in link to the web view: charts, tables, reports"),
    ),
    Command("help", menu=N_("list the commands"), syntax="/help", help=N_("this help")),
    Command(
        "approve",
        "approver",
        syntax="/approve N, /reject N",
        help=N_("take improvement decision no. N"),
    ),
    Command("reject", "approver"),  # on /approve's line
    Command(
        "propose",
        "approver",
        syntax="/propose N",
        help=N_("pass decision no. N to the responsible one scale up"),
    ),
    Command(
        "status",
        "manager",
        menu=N_("managers: how the control rounds stand"),
        syntax="/status",
        help=N_("how the control rounds of your activities stand"),
    ),
    Command(
        "remind",
        "admin",
        help=N_("/remind ACTIVITY [PERIOD] — open a control round and remind whoever measures"),
    ),
    Command(
        "summary",
        "admin",
        help=N_("/summary CHANNEL [PERIOD] — post a summary to a team channel"),
    ),
    Command(
        "bind",
        "admin",
        help=N_(
            "/bind CHANNEL — in a Telegram group or Slack channel: post the team channel's "
            "news here"
        ),
    ),
)
"""Every chat command, in the order ``/help`` and the Telegram menu show them."""

NAMES: frozenset[str] = frozenset(c.name for c in COMMANDS)
"""Every command name (without the slash)."""
ADMIN_ONLY: frozenset[str] = frozenset(c.name for c in COMMANDS if c.audience == "admin")
"""Commands only the plan's administrators may use."""
