"""One command table (issue 15 item 3): the dispatcher, Slack's ``/control`` sub-commands, the
Telegram menu and ``/help`` all read bot/command_table.py, and agree; button kinds and problem
codes are closed types with one handler or message each."""

from __future__ import annotations

import re
from typing import get_args

from bot import command_table
from bot.dispatch import Dispatcher
from bot.dispatch.buttons import BUTTONS
from bot.i18n import translator
from bot.render import RenderContext, render
from bot.render.errors import PROBLEMS
from bot.slack.blocks import SLASH_COMMAND, slack_commands
from bot.telegram.service import COMMANDS as TELEGRAM_MENU
from bot.tokens import KINDS
from tests.support.flow import problem_codes
from tests.support.recording import command
from workflows.context import Context
from workflows.notices import Help
from workflows.problems import ProblemCode

NAMES = [c.name for c in command_table.COMMANDS]
NOT_IN_HELP = {"start"}
"""``/start`` is what Telegram's deep link sends; ``/pending`` is its listed twin."""
NOT_IN_MENU = {"platform", "approve", "reject", "propose", "remind", "summary", "bind"}
"""The Telegram menu is the same for everyone: commands of approvers, admins and people on
several platforms are left to ``/help``."""


def test_issue15_names_are_unique_and_valid_telegram_commands() -> None:
    assert len(NAMES) == len(set(NAMES))
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", name) for name in NAMES)


async def test_issue15_the_dispatcher_answers_every_command_of_the_table(
    dispatcher: Dispatcher, ctx: Context
) -> None:
    assert set(dispatcher.handlers()) | {"bind"} == set(NAMES)
    assert dispatcher.command_names == set(NAMES)
    admin = ctx.plan.plan.admins[0]
    for name in NAMES:
        codes = problem_codes(await dispatcher.handle(command(admin, name)))
        assert "unknown_command" not in codes, name
    codes = problem_codes(await dispatcher.handle(command(admin, "nosuchcommand")))
    assert codes == ["unknown_command"]


def test_issue15_slack_control_sub_commands_are_the_table() -> None:
    for name in NAMES:
        assert slack_commands(f"type /{name} now") == f"type {SLASH_COMMAND} {name} now"
    assert slack_commands("/as anna /quit /pendingx") == "/as anna /quit /pendingx"


def test_issue15_the_telegram_menu_is_the_table() -> None:
    menu = [name for name, _description in TELEGRAM_MENU]
    assert menu == [n for n in NAMES if n not in NOT_IN_MENU]
    assert menu[:3] == ["start", "pending", "cancel"]


def test_issue15_help_lists_every_command_of_the_table(ctx: Context) -> None:
    for lang in ("lv", "en"):
        rc = RenderContext(translator(lang), ctx.plan, ctx.timezone)
        text = render(Help(is_admin=True, is_approver=True, is_manager=True), rc).text
        listed = set(re.findall(r"(?<![\w/])/([a-z]+)\b", text))
        assert listed - {"cancel"} <= set(NAMES)  # "/away cancel" names no other command
        assert set(NAMES) - listed == NOT_IN_HELP
        everyone = render(Help(is_admin=False, is_approver=False), rc).text
        assert "/remind" not in everyone and "/approve" not in everyone
        assert "/pending" in everyone


def test_issue15_every_button_kind_has_one_handler() -> None:
    assert set(BUTTONS) == KINDS


def test_issue15_every_problem_code_has_a_message() -> None:
    special = {"internal_error", "confirm_choice"}  # generic text; built from button labels
    assert set(PROBLEMS) | special == set(get_args(ProblemCode))
    assert not special & set(PROBLEMS)
