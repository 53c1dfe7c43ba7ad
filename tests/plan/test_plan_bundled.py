"""The bundled sample plan loads cleanly and keeps what the demo relies on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from workflows.plan.loader import bundled_plan_path, load_default_plan, load_plan
from workflows.plan.schema import ControlDepth, Mark, Scale

ROOT = Path(__file__).parents[2]


def test_bundled_plan_loads_cleanly() -> None:
    loaded = load_default_plan(None)
    assert [p.name for p in loaded.sources] == ["parauga-novads.yaml"]
    assert loaded.plan.organisation.id == "parauga-novads"


def test_bundled_plan_path_is_the_plans_folder() -> None:
    folder = bundled_plan_path()
    assert folder.is_dir()
    assert (folder / "parauga-novads.yaml").is_file()
    assert load_default_plan(folder).plan == load_plan(folder / "parauga-novads.yaml").plan


def test_bundled_plan_keeps_the_demo_facts() -> None:
    loaded = load_default_plan(None)
    plan = loaded.plan
    org = plan.organisation
    assert (org.id, org.scale) == ("parauga-novads", Scale.PASVALDIBAS)
    assert org.lead is not None
    assert (org.lead.role, org.lead.person) == ("pasvaldibas_vadosa_iestade", "ilze-kalnina")
    assert loaded.person("ilze-kalnina").name == "Ilze Kalniņa"
    assert (plan.locale, plan.timezone, plan.admins) == ("lv", "Europe/Riga", ("kristaps-sils",))
    assert loaded.person("kristaps-sils").language == "lv"
    assert plan.admin_channel == "admin"
    assert loaded.channel("admin").label.lv == "Administrēšana"
    assert (plan.decision_after_warnings, plan.decision_within_working_days) == (3, 10)
    assert plan.form_timeout_minutes == 30
    assert [c.id for c in plan.channels] == [
        "admin",
        "pakalpojumu-parvaldiba",
        "iestade-centrala-administracija",
        "iestade-socialais-dienests",
        "pk-dzivesvieta",
        "pk-socialapalidziba",
        "resurss-dvs",
    ]
    service = loaded.activity("dzivesvietas-deklaresana")
    assert service.scale is Scale.PAKALPOJUMA
    assert service.channel == "pk-dzivesvieta"
    assert service.control_depth is ControlDepth.STANDARD
    resp = service.responsibility[Scale.PAKALPOJUMA]
    assert [(h.role, h.person) for h in resp.A] == [("pakalpojuma_saimnieks", "janis-berzins")]
    assert [h.person for h in resp.L] == ["anna-ozola", "peteris-liepa"]
    assert [h.person for h in service.responsibility[Scale.IESTADES].A] == ["marta-kalnina"]
    assert loaded.person("janis-berzins").name == "Jānis Bērziņš"
    assert loaded.person("janis-berzins").email == "janis.berzins@parauga-novads.example"
    assert loaded.person("peteris-liepa").language == "en"
    shape = [(i.id, i.frequency.value, i.measured_by.value) for i in service.indicators]
    assert shape == [
        ("dd-avg-processing", "monthly", "L"),
        ("dd-within-sla", "monthly", "L"),
        ("dd-e-share", "monthly", "A"),
        ("dd-cost-per-case", "quarterly", "A"),
        ("dd-satisfaction", "quarterly", "L"),
    ]
    cost = loaded.indicator("dd-cost-per-case")[1]
    assert cost.approved_by == "iestades_pakalpojumu_kopuma_saimnieks"
    assert (str(cost.target), str(cost.warning), str(cost.critical), cost.decimals) == (
        "6.00",
        "7.00",
        "9.00",
        2,
    )
    assert loaded.activity("socialas-palidzibas-pabalsti")
    assert loaded.activity("dokumentu-vadibas-sistema").scale is Scale.RESURSA


def test_every_bundled_indicator_is_documented() -> None:
    loaded = load_default_plan(None)
    indicators = [i for a in loaded.activities for i in a.indicators]
    assert all(i.data_source is not None for i in indicators)
    assert sum(i.method is not None for i in indicators) >= 3
    for activity in loaded.activities:
        assert activity.institution is not None
        assert activity.why_control.feasibility.lv
        for indicator in activity.indicators:
            assert loaded.measurers(activity, indicator)
            assert loaded.approver(activity, indicator)
    assert {h.person for h in loaded.holders(loaded.activities[0], Scale.PAKALPOJUMA, Mark.L)}


def test_bundled_plan_is_found_outside_the_source_tree(tmp_path: Path) -> None:
    """Mimic a non-editable wheel install: only the packaged files, on another sys.path."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("workflows", "bot", "locales"):
        shutil.copytree(ROOT / package, site / package, ignore=ignore)
    code = (
        "import workflows; from workflows.plan.loader import bundled_plan_path, "
        "load_default_plan; p = bundled_plan_path(); "
        "print(workflows.__file__); print(p); print(load_default_plan(None).plan.organisation.id)"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    module_file, folder, org = result.stdout.splitlines()
    assert Path(module_file).is_relative_to(site)
    assert Path(folder) == site / "workflows" / "plans"
    assert org == "parauga-novads"
