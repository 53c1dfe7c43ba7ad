"""The console channel: addresses, buttons, and lines that could break it."""

from __future__ import annotations

import io

import pytest

from bot.channel import Address
from bot.console import ConsoleChannel, ConsoleSession
from bot.dispatch import Dispatcher
from bot.events import ChoiceSelected, CommandReceived, TextReceived
from bot.messages import Choice, Message
from tests.support.recording import RecordingChannel
from workflows.plan.model import LoadedPlan


async def test_dm_and_channel_posts_show_their_address_and_numbered_buttons() -> None:
    out = io.StringIO()
    channel = ConsoleChannel(out)
    await channel.send(
        Address("console", "dm", "anna-ozola", "Anna Ozola"),
        Message(
            "Teksts\notrā rinda",
            title="Virsraksts",
            choices=(Choice("decision:1:approve", "Apstiprināt"),),
        ),
    )
    await channel.send(Address("console", "channel", "pk", "#pk"), Message("Kopsavilkums"))
    assert out.getvalue().splitlines() == [
        "[DM → Anna Ozola] Virsraksts",
        "    Teksts",
        "    otrā rinda",
        "    [1] Apstiprināt",
        "[#pk] Kopsavilkums",
    ]


async def test_buttons_of_a_free_text_question_are_pressed_by_label_only(
    dispatcher: Dispatcher, plan: LoadedPlan
) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(out)
    session = ConsoleSession(dispatcher, channel, plan, "anna-ozola", "lv")
    await channel.send(
        Address("console", "dm", "anna-ozola", "Anna Ozola"),
        Message("Cik?", choices=(Choice("form:1:cancel", "Atcelt"),), free_text=True),
    )
    assert "[Atcelt]" in out.getvalue() and "[1]" not in out.getvalue()
    assert isinstance(session.to_event("1"), TextReceived)
    pressed = session.to_event("atcelt")
    assert isinstance(pressed, ChoiceSelected) and pressed.token == "form:1:cancel"


async def test_a_lone_slash_is_an_unknown_command_not_a_crash(
    dispatcher: Dispatcher, plan: LoadedPlan, recording: RecordingChannel
) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "lv")
    event = session.to_event("/")
    assert isinstance(event, CommandReceived) and event.name == ""
    assert await session.feed("/ ") is True
    assert await session.feed("/help") is True
    assert "Nezināma komanda /." in recording.texts("anna-ozola")
    assert "/pending" in recording.texts("anna-ozola")
    assert "/as <personas-id>" in out.getvalue()


async def test_as_without_a_name_explains_and_asnobody_is_not_as(
    dispatcher: Dispatcher, plan: LoadedPlan
) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "en")
    await session.feed("/as")
    assert "Usage: /as <person-id>" in out.getvalue()
    await session.feed("/asnobody")
    assert session.person_id == "anna-ozola"
    await session.feed("/as janis-berzins")
    assert session.person_id == "janis-berzins"


@pytest.mark.parametrize(
    ("lang", "head"),
    [("lv", "Plānā nav personas “nobody”. Zināmās personas: "), ("en", "Known: ")],
)
async def test_as_nobody_lists_the_people_sorted_and_ends_with_a_full_stop(
    dispatcher: Dispatcher, plan: LoadedPlan, lang: str, head: str
) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", lang)
    await session.feed("/as nobody")
    (line,) = [x for x in out.getvalue().splitlines() if "nobody" in x]
    assert head in line and line.endswith(".") and not line.endswith("..")
    listed = line.split(": ")[-1].removesuffix(".").split(", ")
    ids = [p.id for p in plan.plan.people]
    assert sorted(listed) == sorted(ids) and listed == sorted(ids)  # plan ids are plain a-z
    assert session.person_id == "anna-ozola"
    out.truncate(0)
    await session.feed("/as")
    assert out.getvalue().rstrip().endswith(f"{', '.join(sorted(ids))}.")


async def test_as_nobody_in_a_large_plan_says_how_many_more_people_there_are(
    dispatcher: Dispatcher, plan: LoadedPlan
) -> None:
    session = ConsoleSession(dispatcher, ConsoleChannel(io.StringIO()), plan, "anna-ozola", "lv")
    people = len(plan.plan.people)
    assert session.known_people(limit=people - 2).endswith(" un vēl 2")
    assert session.known_people(limit=people) == ", ".join(sorted(p.id for p in plan.plan.people))


async def test_stdin_ends_cleanly_and_quit_stops(dispatcher: Dispatcher, plan: LoadedPlan) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "lv")
    await session.run_stdin(io.StringIO("/pending\n/quit\n/help\n"))
    text = out.getvalue()
    assert "anna-ozola> /pending" in text and "/help" not in text.split("/quit")[1]


async def test_one_failing_delivery_does_not_stop_the_others(
    dispatcher: Dispatcher, recording: RecordingChannel, caplog: pytest.LogCaptureFixture
) -> None:
    from workflows.notices import Help, Outgoing, ToPerson

    class Broken:
        """A notice no renderer knows."""

    items = [
        Outgoing(ToPerson("anna-ozola"), Broken()),  # type: ignore[arg-type]
        Outgoing(ToPerson("anna-ozola"), Help(is_admin=False, is_approver=False)),
    ]
    await dispatcher.outbox.deliver(items)
    assert len(recording.to("anna-ozola")) == 1
    assert "cannot queue Broken" in caplog.text


async def test_console_lines_follow_the_persons_language_and_quit_takes_arguments(
    dispatcher: Dispatcher, plan: LoadedPlan
) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "lv")
    await session.feed("/AS peteris-liepa")
    assert "You are now Pēteris Liepa" in out.getvalue()
    assert await session.feed("/Quit now") is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_on_a_terminal_switching_person_shows_what_waits_for_them(
    dispatcher: Dispatcher, plan: LoadedPlan, recording: RecordingChannel
) -> None:
    out = io.StringIO()
    session = ConsoleSession(dispatcher, ConsoleChannel(out), plan, "anna-ozola", "lv")
    await session.run_stdin(_Terminal("/as janis-berzins\n"))
    shown = [m.title for m in recording.to("anna-ozola") + recording.to("janis-berzins")]
    assert shown == ["Jūs gaida", "Jūs gaida"]
    assert "anna-ozola> " in out.getvalue()  # the prompt is shown on a terminal


async def test_a_closed_pipe_ends_the_console_output_quietly() -> None:
    """``controlbot demo | head``: the reader stops; no traceback for every later message."""
    import io

    from bot.channel import Address
    from bot.console import ConsoleChannel
    from bot.messages import Message

    class ClosedPipe(io.StringIO):
        writes = 0

        def write(self, text: str) -> int:
            ClosedPipe.writes += 1
            raise BrokenPipeError(32, "Broken pipe")

    channel = ConsoleChannel(ClosedPipe())
    address = Address("console", "dm", "anna-ozola", "Anna Ozola")
    await channel.send(address, Message("one"))
    await channel.send(address, Message("two"))
    assert channel.closed and ClosedPipe.writes == 1
