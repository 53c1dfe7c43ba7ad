"""LoadedPlan lookups on the bundled plan: measurers, approvers and managers."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.plan.loader import load_default_plan, load_plan
from workflows.plan.model import LoadedPlan, UnknownPlanItem


@pytest.fixture(scope="module")
def loaded() -> LoadedPlan:
    return load_default_plan(None)


def _measurers(loaded: LoadedPlan, indicator_id: str) -> tuple[str, ...]:
    activity, indicator = loaded.indicator(indicator_id)
    return loaded.measurers(activity, indicator)


def _approver(loaded: LoadedPlan, indicator_id: str) -> str:
    activity, indicator = loaded.indicator(indicator_id)
    return loaded.approver(activity, indicator)


def test_measurers_follow_measured_by(loaded: LoadedPlan) -> None:
    assert _measurers(loaded, "dd-avg-processing") == ("anna-ozola", "peteris-liepa")
    assert _measurers(loaded, "dd-e-share") == ("janis-berzins",)
    assert _measurers(loaded, "dvs-user-satisfaction") == ("dace-liepina", "raitis-egle")


def test_approver_for_a_is_the_a_at_the_activity_scale(loaded: LoadedPlan) -> None:
    assert _approver(loaded, "dd-avg-processing") == "janis-berzins"
    assert _approver(loaded, "sp-avg-decision") == "liga-zarina"


def test_approver_for_a_role_id_is_its_holder(loaded: LoadedPlan) -> None:
    assert _approver(loaded, "dd-cost-per-case") == "marta-kalnina"
    assert _approver(loaded, "sp-cost-per-application") == "andris-ozolins"
    assert _approver(loaded, "dvs-availability") == "guntis-abolins"


def test_approver_may_be_the_organisation_lead(data_dir: Path) -> None:
    small = load_plan(data_dir / "minimal.yaml")
    activity, indicator = small.indicator("t-share")
    assert indicator.approved_by == "vadosa"
    assert small.approver(activity, indicator) == "vaditajs"


def test_manager_of_l_is_the_a_at_the_same_scale(loaded: LoadedPlan) -> None:
    service = loaded.activity("dzivesvietas-deklaresana")
    assert loaded.manager_of("anna-ozola", service) == "janis-berzins"
    assert loaded.manager_of("peteris-liepa", service) == "janis-berzins"


def test_manager_of_a_is_the_a_one_scale_up(loaded: LoadedPlan) -> None:
    service = loaded.activity("dzivesvietas-deklaresana")
    assert loaded.manager_of("janis-berzins", service) == "marta-kalnina"
    assert loaded.manager_of("marta-kalnina", service) == "ilze-kalnina"
    resource = loaded.activity("dokumentu-vadibas-sistema")
    assert loaded.manager_of("edgars-vitols", resource) == "guntis-abolins"


def test_the_organisation_lead_has_no_manager(loaded: LoadedPlan) -> None:
    service = loaded.activity("dzivesvietas-deklaresana")
    assert loaded.manager_of("ilze-kalnina", service) is None


def test_other_lookups(loaded: LoadedPlan) -> None:
    assert loaded.channel("#pk-dzivesvieta").id == "pk-dzivesvieta"
    assert [a.id for a in loaded.activities_in_channel("resurss-dvs")] == [
        "dokumentu-vadibas-sistema"
    ]
    assert loaded.is_admin("kristaps-sils")
    assert not loaded.is_admin("janis-berzins")
    assert loaded.role_label("pakalpojuma_saimnieks", "en") == "Service owner"
    assert loaded.is_service(loaded.activity("dzivesvietas-deklaresana"))
    assert not loaded.is_service(loaded.activity("dokumentu-vadibas-sistema"))
    with pytest.raises(UnknownPlanItem):
        loaded.person("nobody")
