"""The domain and storage never import a chat transport or the bot package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FORBIDDEN = ("telegram", "slack_bolt", "slack_sdk", "aiohttp", "bot")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["workflows", "storage"])
def test_package_imports_no_transport(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN))
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_settings_touches_the_environment() -> None:
    readers = []
    for package in ("bot", "workflows", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if "os.environ" in source or "getenv(" in source:
                readers.append(str(path.relative_to(ROOT)))
    assert readers == ["bot/settings.py"]  # pydantic-settings reads; PTB_TIMEDELTA is set


def test_issue15_no_bot_module_queries_accounts() -> None:
    """People's accounts have one home, workflows/people/accounts/; bot/ goes through it."""
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if "PlatformIdentity" in path.read_text(encoding="utf-8")
    ]
    assert readers == []


PLATFORM_WORDS = re.compile(r"telegram|slack|e-?mail", re.IGNORECASE)
PLAN_ACCOUNT_KEYS = "workflows/plan/accounts.py"
"""The plan's account keys and their compatibility shim: the one module allowed to name them."""


def test_issue15_workflows_names_no_platform() -> None:
    """Adding a platform touches no module of workflows/ but the plan's account keys."""
    naming = {
        str(path.relative_to(ROOT)): sorted(
            {m.lower() for m in PLATFORM_WORDS.findall(path.read_text(encoding="utf-8"))}
        )
        for path in (ROOT / "workflows").rglob("*.py")
    }
    assert {k: v for k, v in naming.items() if v and k != PLAN_ACCOUNT_KEYS} == {}
    assert naming[PLAN_ACCOUNT_KEYS]  # the shim is where the names went


def test_issue15_accounts_have_one_home_in_workflows() -> None:
    """workflows/people/accounts/ is the only package that reads or writes accounts directly."""
    readers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "workflows").rglob("*.py")
        if "PlatformIdentity" in path.read_text(encoding="utf-8")
    ]
    assert readers and all(r.startswith("workflows/people/accounts/") for r in readers)
