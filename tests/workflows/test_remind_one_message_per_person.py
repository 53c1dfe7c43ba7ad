"""Issue 13 item 8: one ``/remind`` (or ``controlbot remind``) sends each person one message.

Opening an activity without a period opens its month and its quarter; each measurer used to get
two DMs. Now each gets one listing everything due, as the scheduled sends already do.
"""

from __future__ import annotations

from collections import Counter

from bot.dispatch import Dispatcher
from storage.db import Database
from tests.support.recording import RecordingChannel, command
from workflows.context import Context
from workflows.notices import Digest, Reminder, RoundOpened, ToPerson
from workflows.rounds import opening as rounds

ACTIVITY = "dzivesvietas-deklaresana"
ADMIN = "kristaps-sils"


def test_month_and_quarter_reach_each_measurer_in_one_message(db: Database, ctx: Context) -> None:
    items = db.transaction(lambda s: rounds.open_round(s, ctx, ACTIVITY, None, ADMIN))
    reminders = [i for i in items if isinstance(i.notice, Reminder | Digest)]
    per_person = Counter(i.to for i in reminders)
    assert per_person and all(n == 1 for n in per_person.values())
    digests = {i.to: i.notice for i in reminders if isinstance(i.notice, Digest)}
    # Anna measures monthly and quarterly indicators (L): both periods in one message
    anna = digests[ToPerson("anna-ozola")]
    assert isinstance(anna, Digest)
    assert [r.period for r in anna.items] == ["2026-10", "2026-Q3"]
    # the administrator is still told about each round opened
    assert [i.notice.period for i in items if isinstance(i.notice, RoundOpened)] == [
        "2026-10",
        "2026-Q3",
    ]


async def test_remind_command_sends_one_dm_per_person(
    dispatcher: Dispatcher, recording: RecordingChannel
) -> None:
    await dispatcher.handle(command(ADMIN, "remind", ACTIVITY))
    anna = recording.to("anna-ozola")
    assert len(anna) == 1
    text = anna[0].plain()
    assert "2026. gada oktobris" in text and "2026. gada 3. ceturksnis" in text
    assert len(anna[0].choices) == 2  # one "enter measurements" button per round


def test_a_single_round_is_still_a_plain_reminder(db: Database, ctx: Context) -> None:
    items = db.transaction(lambda s: rounds.open_round(s, ctx, ACTIVITY, "2026-10", ADMIN))
    assert not any(isinstance(i.notice, Digest) for i in items)
    assert any(isinstance(i.notice, Reminder) for i in items)
