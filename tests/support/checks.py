"""A plan with yes/no and choice indicators (issue 13 item 16), built from the bundled one.

The social service gets two checks measured by its L (Inese Krūmiņa) every month: a yes/no
("Was the service description updated in the register?", no is critical) and a choice
("Which stage is the procurement in?", four stages; the target is a signed contract).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from workflows.plan.loader import bundled_plan_path

ACTIVITY = "socialas-palidzibas-pabalsti"
MEASURER = "inese-krumina"
APPROVER = "liga-zarina"
YES_NO = "sp-description-updated"
CHOICE = "sp-procurement-stage"

CHECKS: tuple[dict[str, Any], ...] = (
    {
        "id": YES_NO,
        "label": {
            "lv": "Vai pakalpojuma apraksts reģistrā ir aktualizēts?",
            "en": "Was the service description updated in the register?",
        },
        "control_type": "process",
        "kind": "process",
        "value_type": "yes_no",
        "frequency": "monthly",
        "measured_by": "L",
        "data_source": {"lv": "Pakalpojumu reģistrs", "en": "Service register"},
    },
    {
        "id": CHOICE,
        "label": {
            "lv": "Kurā posmā ir iepirkums?",
            "en": "Which stage is the procurement in?",
        },
        "control_type": "process",
        "kind": "process",
        "value_type": "choice",
        "options": [
            {
                "id": "planning",
                "label": {"lv": "Plānošana", "en": "Planning"},
                "status": "warning",
            },
            {"id": "announced", "label": {"lv": "Izsludināts", "en": "Announced"}, "status": "ok"},
            {
                "id": "contract",
                "label": {"lv": "Līgums noslēgts", "en": "Contract signed"},
                "status": "ok",
            },
            {"id": "stalled", "label": {"lv": "Apturēts", "en": "Stalled"}, "status": "critical"},
        ],
        "target": "contract",
        "frequency": "monthly",
        "measured_by": "L",
    },
)


def plan_with_checks(
    tmp_path: Path, *, only_checks: bool = False, activity_id: str = ACTIVITY
) -> Path:
    """The bundled plan with the two checks added to the social service; its file.

    With ``only_checks`` the activity measures nothing else (shorter forms);
    ``activity_id`` puts them on another activity (its L measures them).
    """
    plan: dict[str, Any] = yaml.safe_load(
        (bundled_plan_path() / "parauga-novads.yaml").read_text(encoding="utf-8")
    )
    for activity in plan["services"]:
        if activity["id"] == activity_id:
            activity["control_depth"] = "deep"
            kept = [] if only_checks else activity["indicators"]
            activity["indicators"] = [*kept, *CHECKS]
    path = tmp_path / "plan-with-checks.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
