"""docs/plan-format.md documents every schema key, and its example is a valid plan."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from workflows.plan import schema
from workflows.plan.loader import load_plan

DOC = Path(__file__).parents[2] / "docs" / "plan-format.md"


def _models() -> list[type[BaseModel]]:
    return [
        obj
        for obj in vars(schema).values()
        if isinstance(obj, type)
        and issubclass(obj, BaseModel)
        and obj.__module__.startswith("workflows.plan.")  # schema and the modules it re-exports
    ]


def test_every_schema_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = {
        f"{model.__name__}.{name}"
        for model in _models()
        for name in model.model_fields
        if f"`{name}`" not in text
    }
    assert missing == set()


def test_the_example_is_a_valid_plan(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert match is not None
    path = tmp_path / "example.yaml"
    path.write_text(match.group(1), encoding="utf-8")
    assert load_plan(path).plan.organisation.id == "parauga-novads"
