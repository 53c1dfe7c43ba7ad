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
    assert notice_codec.decode(notice_codec.encode(notice)) == notice


def test_issue15_a_renamed_module_still_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    text = notice_codec.encode(REMINDER).replace("workflows.notices:", "workflows.old_home:")
    assert json.loads(text)["$t"] == "workflows.old_home:Reminder"
    with pytest.raises(notice_codec.CodecError):
        notice_codec.decode(text)
    monkeypatch.setitem(notice_codec.RENAMED_MODULES, "workflows.old_home", "workflows.notices")
    assert notice_codec.decode(text) == REMINDER


def test_issue15_fields_at_their_default_are_left_out_for_a_replica_of_the_release_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rolling upgrade: a field the new release added (``PendingList.actions``) is not
    written while it holds its default, so the older replica still decodes the notice."""
    pending = notices.PendingList(rounds=(), decisions=(), form_in_progress=None)
    text = notice_codec.encode(pending)
    assert "actions" not in json.loads(text)
    assert notice_codec.decode(text) == pending

    @dataclasses.dataclass(frozen=True)
    class PendingListBefore:  # the release before: no ``actions``
        rounds: tuple[object, ...]
        decisions: tuple[object, ...]
        form_in_progress: object
        approvals: tuple[object, ...] = ()

    monkeypatch.setattr(notices, "PendingList", PendingListBefore)
    assert notice_codec.decode(text) == PendingListBefore((), (), None)
    stored = json.loads(notice_codec.encode(REMINDER))
    assert "overdue" not in stored and "can_enter" not in stored  # defaults, not written
    assert stored["indicator_ids"] == {"$tup": ["I1", "I2"]}
