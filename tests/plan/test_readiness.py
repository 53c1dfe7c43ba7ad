"""The control readiness report (PU3-3 steps 1–3) on complete and incomplete plans."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import translator
from bot.plan_overview import format_readiness
from workflows.plan.loader import bundled_plan_path, load_default_plan, load_plan
from workflows.plan.readiness import Gap, plan_readiness

BUNDLED = (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")


def test_bundled_plan_has_one_ready_activity_and_reports_the_rest() -> None:
    loaded = load_default_plan(None)
    report = {r.activity_id: r.gaps for r in plan_readiness(loaded)}
    assert report["dzivesvietas-deklaresana"] == ()
    assert report["dokumentu-vadibas-sistema"] == (
        Gap("capabilities_not_recorded", ("competences", "processes", "information")),
    )
    lines = format_readiness(loaded, translator("lv"))
    assert lines[0] == "Kontroles gatavība (PU3-3, 1.–3. solis):"
    assert "✔ Dzīvesvietas deklarēšana: gatavs" in lines


def test_a_deliberately_incomplete_activity_lists_every_gap(tmp_path: Path) -> None:
    # the social service loses its only efficiency indicator (the last before `resources:`)
    # and gets thresholds that are all equal
    cost = BUNDLED.index("      - id: sp-cost-per-application")
    text = BUNDLED[:cost] + BUNDLED[BUNDLED.index("\nresources:", cost) + 1 :]
    text = text.replace(
        "        target: 15\n        warning: 18\n        critical: 20\n",
        "        target: 18\n        warning: 18\n        critical: 18\n",
        1,
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_plan(path)
    gaps = {
        g.code: g.items
        for r in plan_readiness(loaded)
        for g in r.gaps
        if r.activity_id == "socialas-palidzibas-pabalsti"
    }
    assert gaps["missing_control_types"] == ("efficiency",)
    assert gaps["no_graded_thresholds"] == ("sp-avg-decision",)
    assert "capabilities_not_recorded" in gaps
    english = "\n".join(format_readiness(loaded, translator("en")))
    assert "no indicator for efficiency control" in english
    assert (
        "target, warning and critical threshold are all equal for: Average time to decision"
        in (english)
    )


def test_people_without_a_chat_account_are_listed_when_the_database_is_known() -> None:
    from workflows.plan.loader import load_default_plan
    from workflows.plan.readiness import plan_readiness

    loaded = load_default_plan(None)
    everyone = {p.id for p in loaded.plan.people}
    assert all(
        g.code != "no_chat_account" for r in plan_readiness(loaded) for g in r.gaps
    )  # unknown: not checked
    assert all(
        g.code != "no_chat_account" for r in plan_readiness(loaded, everyone) for g in r.gaps
    )
    gaps = {
        r.activity_id: g.items
        for r in plan_readiness(loaded, everyone - {"anna-ozola"})
        for g in r.gaps
        if g.code == "no_chat_account"
    }
    assert gaps == {"dzivesvietas-deklaresana": ("anna-ozola",)}


def test_approval_by_the_only_measurer_is_reported(tmp_path: Path) -> None:
    import yaml

    plan = yaml.safe_load(BUNDLED)
    for activity in plan["services"]:
        for indicator in activity["indicators"]:
            # dd-e-share is measured by its approver (Jānis) only; dd-within-sla by Anna
            if indicator["id"] in ("dd-e-share", "dd-within-sla"):
                indicator["requires_approval"] = True
    path = tmp_path / "self.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    loaded = load_plan(path)
    report = {r.activity_id: r.gaps for r in plan_readiness(loaded)}
    assert report["dzivesvietas-deklaresana"] == (
        Gap("approval_by_the_measurer", ("dd-e-share",)),
    )
    english = "\n".join(format_readiness(loaded, translator("en")))
    assert "the approver is the only one who measures them" in english
