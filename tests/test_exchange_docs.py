"""docs/export-format.md covers every column and refusal code; its JSON example is valid."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from bot.exchange.table import HEADERS
from bot.render.exchange import _FILE_PROBLEMS
from bot.settings import Settings

ROOT = Path(__file__).parents[1]
DOC = (ROOT / "docs" / "export-format.md").read_text(encoding="utf-8")
CODES = [
    "unknown_indicator",
    "wrong_activity",
    "bad_period",
    "wrong_frequency",
    "period_not_over",
    "period_too_old",
    "duplicate_row",
    "bad_source",
    "reserved_source",
    "conflict",
    "already_answered",
]


def test_every_export_column_is_documented() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOC))
    assert set(HEADERS) <= documented, set(HEADERS) - documented


def test_every_refusal_code_is_documented() -> None:
    for code in (*CODES, *_FILE_PROBLEMS):
        assert f"`{code}`" in DOC, code


def test_the_json_example_follows_the_schema() -> None:
    example = re.search(r"```json\n(\{\n  \"format\".*?)\n```", DOC, re.S)
    assert example is not None
    schema = json.loads((ROOT / "docs" / "export.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(example.group(1)), schema)


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`CONTROLBOT_{name.upper()}`" in readme, name
