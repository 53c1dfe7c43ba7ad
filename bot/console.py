"""This module contains the console: a chat channel on standard input and output.

DMs show as ``[DM → <person>]``, channel posts as ``[#<channel>]`` and buttons as numbered
options (``[1] Apstiprināt``). Typing the number or the label presses the button; ``/as
<person-id>`` switches who you are. Everything else goes through the same
:class:`~bot.dispatch.Dispatcher` as Telegram and Slack.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from typing import TextIO

from bot.channel import Address
from bot.dispatch import Dispatcher
from bot.events import ChoiceSelected, CommandReceived, Event, Sender, TextReceived
from bot.formatting import id_list
from bot.i18n import Lang, resolve_locale, translator
from bot.messages import Message
from bot.routes import person_language
from workflows.plan.model import LoadedPlan

PLATFORM = "console"
INDENT = "    "


def _silence(out: TextIO) -> None:
    """Point a closed pipe's descriptor at /dev/null, so Python's exit flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests): nothing left to flush


class ConsoleChannel:
    """Prints messages; remembers each person's last message with buttons.

    Args:
        out: Where to print (standard output by default).
    """

    platform = PLATFORM

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.last_with_choices: dict[str, Message] = {}
        self.closed = False
        """Set when the reader went away (``controlbot demo | head``): nothing more is printed."""

    async def send(self, address: Address, message: Message) -> None:
        """Print ``message`` with its address, text and numbered buttons.

        A closed pipe (the reader stopped reading) ends the output quietly.
        """
        if self.closed:
            return
        try:
            self._print(address, message)
        except BrokenPipeError:
            self.closed = True
            _silence(self.out)

    def _print(self, address: Address, message: Message) -> None:
        prefix = f"[DM → {address.label}]" if address.kind == "dm" else f"[{address.label}]"
        lines = message.plain().split("\n")
        print(f"{prefix} {lines[0]}", file=self.out)
        for line in lines[1:]:
            print(f"{INDENT}{line}" if line else "", file=self.out)
        if address.kind == "channel":
            pass  # buttons in a team channel are for platforms with group chats
        elif message.free_text:
            # a typed answer is expected: digits are the answer, so buttons go by label only
            labels = "  ".join(f"[{choice.label}]" for choice in message.choices)
            if labels:
                print(f"{INDENT}{labels}", file=self.out)
        else:
            for number, choice in enumerate(message.choices, 1):
                print(f"{INDENT}[{number}] {choice.label}", file=self.out)
        self.out.flush()
        if address.kind == "dm":
            if message.choices:
                self.last_with_choices[address.target] = message
            else:
                self.last_with_choices.pop(address.target, None)


class ConsoleSession:
    """Reads console lines as one person at a time.

    Args:
        dispatcher: The shared dispatcher.
        channel: The console channel (for the buttons last shown).
        plan: To check ``/as`` targets.
        person_id: Who you are at first.
        lang: Language of the console's own lines (``/as`` confirmations).
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        channel: ConsoleChannel,
        plan: LoadedPlan,
        person_id: str,
        lang: Lang,
    ) -> None:
        self.dispatcher = dispatcher
        self.channel = channel
        self.plan = plan
        self.person_id = person_id
        self.default_lang: Lang = lang
        self.t = translator(self._lang_of(person_id))
        self.interactive = False
        self.quit_requested = False

    def _lang_of(self, person_id: str) -> Lang:
        """The console's own lines follow the person's plan language, else the default."""
        if self.plan.has_person(person_id):
            return resolve_locale(
                person=self.plan.person(person_id).language, default=self.default_lang
            )
        return self.default_lang

    async def _follow_language(self) -> None:
        """The console's own lines follow the person's language as chat does (``/lang``)."""
        dispatcher, person_id = self.dispatcher, self.person_id
        if not self.plan.has_person(person_id):
            return
        lang = await dispatcher.db.run(
            lambda s: person_language(s, dispatcher.ctx, person_id, self.default_lang)
        )
        self.t = translator(lang)

    def prompt(self) -> str:
        """The input prompt: ``<person-id>> ``."""
        return f"{self.person_id}> "

    def _say(self, text: str) -> None:
        label = self.t.gettext("console")
        print(f"[{label}] {text}", file=self.channel.out)
        self.channel.out.flush()

    def to_event(self, line: str) -> Event:
        """Turn a typed line into an event (commands, pressed buttons or text)."""
        sender = Sender(PLATFORM, self.person_id)
        if line.startswith("/"):
            words = line[1:].split()
            name = words[0].lower() if words else ""
            return CommandReceived(sender, name, tuple(words[1:]))
        shown = self.channel.last_with_choices.get(self.person_id)
        if shown is not None:
            wanted = line.casefold()
            for number, choice in enumerate(shown.choices, 1):
                by_number = not shown.free_text and line == str(number)
                if by_number or wanted == choice.label.casefold():
                    return ChoiceSelected(sender, choice.token)
        return TextReceived(sender, line)

    async def feed(self, line: str) -> bool:
        """Handle one line; ``False`` means the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        lowered = line.lower()
        if lowered.split()[0] in ("/quit", "/exit"):
            self.quit_requested = True
            return False
        if lowered == "/as" or lowered.startswith("/as "):
            if await self._switch(line[3:].strip()):
                await self._show_pending()
            return True
        await self.dispatcher.handle(self.to_event(line))
        if lowered.split()[0] in ("/lang", "/help"):
            await self._follow_language()
        if lowered == "/help" or lowered.startswith("/help "):
            self._say(
                self.t.gettext(
                    "On the console: /as <person-id> switches who you are, /quit leaves."
                )
            )
        return True

    def known_people(self, limit: int = 20) -> str:
        """The plan's person ids, sorted: the first ``limit``, then how many more."""
        return id_list((p.id for p in self.plan.plan.people), self.t, limit)

    async def _show_pending(self) -> None:
        """On a terminal, show what waits for the person (their open form's question too)."""
        if self.interactive:
            await self.dispatcher.handle(
                CommandReceived(Sender(PLATFORM, self.person_id), "pending")
            )

    async def _switch(self, person_id: str) -> bool:
        if not person_id:
            self._say(
                self.t.gettext(
                    "Usage: /as <person-id>. People: {known}.", known=self.known_people()
                )
            )
            return False
        if not self.plan.has_person(person_id):
            self._say(
                self.t.gettext(
                    "There is no person “{person}” in the plan. Known: {known}.",
                    person=person_id,
                    known=self.known_people(),
                )
            )
            return False
        self.person_id = person_id
        await self._follow_language()
        self._say(
            self.t.gettext(
                "You are now {name} ({person}).",
                name=self.plan.person(person_id).name,
                person=person_id,
            )
        )
        return True

    async def run_script(self, lines: Iterable[str]) -> None:
        """Feed scripted lines, echoing each after the prompt like a transcript."""
        for line in lines:
            print(f"{self.prompt()}{line}", file=self.channel.out)
            if not await self.feed(line):
                return

    async def run_stdin(self, stdin: TextIO | None = None) -> None:
        """Read lines until end of input or ``/quit``.

        On a terminal a prompt is shown; otherwise lines are echoed as a transcript.
        Never waits once standard input is closed.
        """
        import asyncio

        source = stdin or sys.stdin
        interactive = self.interactive = source.isatty()
        await self._follow_language()
        if interactive:
            self._say(
                self.t.gettext(
                    "Type /help for commands, /as <person-id> to switch, /quit to leave."
                )
            )
            await self._show_pending()
        while True:
            if interactive:
                print(self.prompt(), end="", file=self.channel.out, flush=True)
            line = await asyncio.to_thread(source.readline)
            if not line:
                return
            if not interactive:
                print(f"{self.prompt()}{line.rstrip()}", file=self.channel.out)
            if not await self.feed(line):
                return
