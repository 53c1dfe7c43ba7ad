"""Issue 15: the outbox's stored notices survive splitting ``workflows.notices`` into modules."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

import workflows.notices as notices
from workflows.notices import Digest, Reminder
from workflows.notices import codec as notice_codec

REMINDER = Reminder(
    round_id=7,
    activity_id="A1",
    period="2026-Q3",
    due_date=date(2026, 10, 9),
    indicator_ids=("I1", "I2"),
)


def test_issue15_every_notice_is_stored_under_the_package_name() -> None:
    dataclass_types = [
        c
        for c in vars(notices).values()
        if isinstance(c, type)
        and dataclasses.is_dataclass(c)
        and c.__module__.startswith("workflows.notices")
    ]
    assert len(dataclass_types) > 50
    for cls in dataclass_types:
        assert notice_codec._name(cls) == f"workflows.notices:{cls.__qualname__}"


def test_issue15_a_row_stored_before_the_split_decodes_to_the_same_notice() -> None:
    stored = (
        '{"$t":"workflows.notices:Digest","items":{"$tup":[{"$t":"workflows.notices:Reminder",'
        '"round_id":7,"activity_id":"A1","period":"2026-Q3","due_date":{"$date":"2026-10-09"},'
        '"indicator_ids":{"$tup":["I1","I2"]},"overdue":false,"step":"reminder","measurers":'
        '{"$tup":[]},"late":false,"can_enter":true}]}}'
    )
    notice = Digest(items=(REMINDER,))
    assert notice_codec.decode(stored) == notice
    assert notice_codec.encode(notice) == stored


def test_issue15_a_renamed_module_still_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = notice_codec.encode(REMINDER).replace("workflows.notices:", "workflows.old_home:")
    assert json.loads(text)["$t"] == "workflows.old_home:Reminder"
    with pytest.raises(notice_codec.CodecError):
        notice_codec.decode(text)
    monkeypatch.setitem(notice_codec.RENAMED_MODULES, "workflows.old_home", "workflows.notices")
    assert notice_codec.decode(text) == REMINDER
