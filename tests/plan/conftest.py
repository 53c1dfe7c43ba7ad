"""Fixtures for the plan tests: sample files, plan writers and translators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.i18n import Translator, translator
from workflows.plan.loader import bundled_plan_path

DATA = Path(__file__).parent / "data"
BUNDLED = bundled_plan_path() / "parauga-novads.yaml"


@pytest.fixture
def en() -> Translator:
    return translator("en")


@pytest.fixture
def lv() -> Translator:
    return translator("lv")


@pytest.fixture
def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``text`` to ``tmp_path/name`` and return the path."""

    def write(text: str, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def line_of() -> Callable[..., int]:
    """``line_of(text, needle, occurrence=1)``: 1-based line of a line containing ``needle``."""

    def find(text: str, needle: str, occurrence: int = 1) -> int:
        hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
        return hits[occurrence - 1]

    return find
