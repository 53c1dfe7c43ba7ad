"""A person removed from the plan gets nothing more; their A and the admins are told once."""

from __future__ import annotations

from pathlib import Path

from bot.app import prepare_database
from storage.db import Database
from tests.support.flow import notices
from workflows.calendar import WorkingCalendar
from workflows.context import Context
from workflows.notices import PersonLeft
from workflows.plan.loader import bundled_plan_path, load_plan
from workflows.schedule.planned import planned_sends


def _without_peteris(tmp_path: Path) -> Path:
    text = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    person = (
        '  - {id: peteris-liepa, name: "Pēteris Liepa", email: '
        "peteris.liepa@parauga-novads.example,\n     language: en}\n"
    )
    holder = "anna-ozola},\n            {role: pakalpojuma_sniedzejs, person: peteris-liepa}]"
    assert person in text and holder in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(person, "").replace(holder, "anna-ozola}]"), encoding="utf-8")
    return path


def test_leaving_is_announced_once_and_the_schedule_forgets_them(
    db: Database, ctx: Context, tmp_path: Path
) -> None:
    changed = Context(
        load_plan(_without_peteris(tmp_path)), ctx.clock, WorkingCalendar(), ctx.timezone, "lv"
    )
    first = prepare_database(db, changed, auto_upgrade=True)
    left = notices(first, PersonLeft, "janis-berzins")
    assert [n.name for n in left] == ["Pēteris Liepa"]
    assert left[0].takeover == (("dzivesvietas-deklaresana", ("anna-ozola", "janis-berzins")),)
    assert len(notices(first, PersonLeft, "admin")) == 1
    assert prepare_database(db, changed, auto_upgrade=True) == []  # told once
    today = ctx.today()
    sends = planned_sends(changed, today, today.replace(year=today.year + 1))
    assert "peteris-liepa" not in {s.recipient for s in sends}
