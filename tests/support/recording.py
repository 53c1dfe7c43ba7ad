"""A channel that records messages instead of sending them (Rasa's CollectingOutputChannel)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channel import Address
from bot.events import ChoiceSelected, CommandReceived, Sender, TextReceived
from bot.messages import Message


@dataclass
class RecordingChannel:
    """Collects ``(address, message)`` pairs."""

    platform: str = "console"
    sent: list[tuple[Address, Message]] = field(default_factory=list)

    async def send(self, address: Address, message: Message) -> None:
        self.sent.append((address, message))

    def to(self, target: str) -> list[Message]:
        """Messages sent to a person or channel id."""
        return [m for a, m in self.sent if a.target == target]

    def last(self, target: str) -> Message:
        """The last message sent to ``target``."""
        return self.to(target)[-1]

    def texts(self, target: str) -> str:
        """Every message to ``target`` as one text."""
        return "\n".join(m.plain() for m in self.to(target))

    def clear(self) -> None:
        self.sent.clear()


def command(person: str, name: str, *args: str) -> CommandReceived:
    """A console command event from ``person``."""
    return CommandReceived(Sender("console", person), name, args)


def say(person: str, text: str) -> TextReceived:
    """A typed console line from ``person``."""
    return TextReceived(Sender("console", person), text)


def press(person: str, token: str) -> ChoiceSelected:
    """A pressed button from ``person``."""
    return ChoiceSelected(Sender("console", person), token)
