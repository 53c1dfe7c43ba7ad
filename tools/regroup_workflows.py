"""Regroup the flat modules of ``workflows/`` into concern packages, mechanically (issue 15).

Run it once, on a clean tree, after every branch that adds or splits ``workflows/`` modules has
been merged; it would collide with any branch still open. It

1. checks that every flat module of ``workflows/`` has a place (:data:`MAPPING` or
   :data:`STAYS`) and that every target is free, and stops naming the ones that are not;
2. ``git mv``-es each module to its package (creating the packages with a docstring);
3. rewrites every reference: ``workflows.x`` and ``workflows/x.py`` in code, strings, docs
   and configuration (one regular-expression pass, so a new name is never rewritten again),
   then ``from workflows import x`` (with ``ast``, keeping the local name:
   ``from workflows.rounds import measuring``);
4. adds each moved module to ``workflows.notice_codec.RENAMED_MODULES`` (old → new), so an
   outbox row stored before the move (``workflows.evaluation:Status``) still decodes;
5. sorts the imports and formats (``ruff check --fix --select I``, ``ruff format``), and lists
   what ruff still finds: on this branch, six docstring or comment lines that the longer names
   push past 99 characters, to wrap by hand.

Nothing is committed: review ``git status``/``git diff -M``, run ``mypy`` and the tests,
then commit the moves alone (``git diff -M --stat`` shows them as renames).

Usage:
    python tools/regroup_workflows.py            # the plan only (what moves where)
    python tools/regroup_workflows.py --apply    # do it
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PACKAGES: dict[str, str] = {
    "people": "People and their accounts: synced from the plan, enrolment, reach, absences.",
    "rounds": "Control rounds and their values: measuring, evaluation, approval, corrections.",
    "schedule": "The schedule: planned sends, the sweep that sends them and what it remembers.",
    "reports": "What is reported: summaries, roll-ups, series, overviews and delivery reports.",
}
"""New packages and their docstrings (plan, forms, decisions, notices, exchange exist)."""

MAPPING: dict[str, str] = {
    # plan: the plan in force and questions about it
    "workflows.plan_apply": "workflows.plan.apply",
    "workflows.readiness": "workflows.plan.readiness",
    "workflows.indicators": "workflows.plan.finding",
    # people: who they are, how they are reached, what they may see
    "workflows.people": "workflows.people.sync",
    "workflows.accounts": "workflows.people.accounts",
    "workflows.enrolment": "workflows.people.enrolment",
    "workflows.bindings": "workflows.people.bindings",
    "workflows.reachability": "workflows.people.reachability",
    "workflows.absences": "workflows.people.absences",
    "workflows.privacy": "workflows.people.privacy",
    "workflows.visibility": "workflows.people.visibility",
    "workflows.web_access": "workflows.people.web_access",
    # forms: a form session around the pure engine
    "workflows.conversation": "workflows.forms.conversation",  # a package since issue 16
    "workflows.check_answers": "workflows.forms.check_answers",
    # rounds and values
    "workflows.rounds": "workflows.rounds.opening",
    "workflows.measuring": "workflows.rounds.measuring",
    "workflows.evaluation": "workflows.rounds.evaluation",
    "workflows.plausibility": "workflows.rounds.plausibility",
    "workflows.approval": "workflows.rounds.approval",
    "workflows.corrections": "workflows.rounds.corrections",
    "workflows.revisions": "workflows.rounds.revisions",
    "workflows.snooze": "workflows.rounds.snooze",
    "workflows.history": "workflows.rounds.history",
    "workflows.pending": "workflows.rounds.pending",
    "workflows.status": "workflows.rounds.status",
    "workflows.home": "workflows.rounds.home",
    # decisions and actions (PU3-3 step 5)
    "workflows.actions": "workflows.decisions.actions",
    "workflows.action_follow_ups": "workflows.decisions.action_follow_ups",
    "workflows.follow_up": "workflows.decisions.follow_up",
    # schedule: planned sends, the sweep, its ledger and memory
    "workflows.schedule": "workflows.schedule.planned",
    "workflows.deliveries": "workflows.schedule.sweep",
    "workflows.delivery_ledger": "workflows.schedule.ledger",
    "workflows.sweep_memo": "workflows.schedule.memo",
    "workflows.sweep_plan": "workflows.schedule.sweep_plan",
    "workflows.sweep_rounds": "workflows.schedule.sweep_rounds",
    # reports
    "workflows.summaries": "workflows.reports.summaries",
    "workflows.summary_data": "workflows.reports.summary_data",
    "workflows.rollups": "workflows.reports.rollups",
    "workflows.trends": "workflows.reports.trends",
    "workflows.overview": "workflows.reports.overview",
    "workflows.reach_overview": "workflows.reports.reach",
    "workflows.delivery_reports": "workflows.reports.deliveries",
    # notices: the outbox that queues them and the codec that stores them
    "workflows.outbox": "workflows.notices.outbox",
    "workflows.notice_codec": "workflows.notices.codec",
}
"""Old module or package → new one. Names that do not exist (any more) are skipped."""

STAYS = {
    "workflows.audit",
    "workflows.calendar",
    "workflows.clock",
    "workflows.context",
    "workflows.language",
    "workflows.numbers",
    "workflows.periods",
    "workflows.problems",
}
"""The core every concern uses; they stay at the top of ``workflows/``."""

PACKAGES_STAY = {
    "workflows.decisions",
    "workflows.exchange",
    "workflows.forms",
    "workflows.notices",
    "workflows.plan",
    "workflows.plans",
}
"""Concern packages (and the bundled plans' folder) that are already where they belong."""

REWRITE_SUFFIXES = (".py", ".md", ".toml", ".cfg", ".txt", ".yaml", ".ini")
REWRITE_ROOTS = ("bot", "workflows", "storage", "tests", "bench", "tools", "docs")
REWRITE_FILES = ("README.md", "CONTRIBUTING.md", "BENCHMARKS.md", "pyproject.toml", "Makefile")


def _path(module: str) -> Path:
    return ROOT / (module.replace(".", "/") + ".py")


def _source(module: str) -> Path | None:
    """The module's file, or its package's folder; ``None`` when neither exists."""
    file = _path(module)
    if file.exists():
        return file
    folder = file.with_suffix("")
    return folder if (folder / "__init__.py").exists() else None


def _target(old: str, new: str) -> Path:
    source = _source(old)
    return _path(new) if source is None or source.suffix == ".py" else _path(new).with_suffix("")


def _flat_modules() -> list[str]:
    files = [p.stem for p in (ROOT / "workflows").glob("*.py")]
    packages = [p.parent.name for p in (ROOT / "workflows").glob("*/__init__.py")]
    return sorted(f"workflows.{name}" for name in files + packages)


def plan() -> tuple[dict[str, str], list[str]]:
    """The moves to make (only of modules that exist) and the problems that stop them."""
    problems = []
    moves = {old: new for old, new in MAPPING.items() if _source(old) is not None}
    targets = set(MAPPING.values())
    for module in _flat_modules():
        if module == "workflows.__init__" or module in targets:
            continue
        if module not in MAPPING and module not in STAYS and module not in PACKAGES_STAY:
            problems.append(f"{module} has no place: add it to MAPPING or STAYS")
    for old, new in moves.items():
        if _path(new).exists() or _path(new).with_suffix("").is_dir():
            problems.append(f"{new} exists already (target of {old})")
    return moves, problems


def _git(*args: str) -> None:
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def _move(moves: dict[str, str]) -> None:
    temps = {}
    for old in moves:  # first aside: workflows/rounds.py becomes the package workflows/rounds/
        source = _source(old)
        assert source is not None
        temp = source.with_name(f"_regroup_{source.name}")
        _git("mv", str(source), str(temp))
        temps[old] = temp
    for package, doc in PACKAGES.items():
        init = ROOT / "workflows" / package / "__init__.py"
        if not init.exists() and any(
            n.startswith(f"workflows.{package}.") for n in moves.values()
        ):
            init.parent.mkdir(parents=True)
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            _git("add", str(init))
    for old, new in moves.items():
        target = _path(new) if temps[old].suffix == ".py" else _path(new).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        _git("mv", str(temps[old]), str(target))


def _rewrite_from_workflows(text: str, moves: dict[str, str]) -> str:
    """``from workflows import a, b as c`` → one import per moved name, the local name kept."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.ImportFrom) and node.module == "workflows" and node.level == 0
        ):
            continue
        if not any(f"workflows.{a.name}" in moves for a in node.names):
            continue
        indent = " " * node.col_offset
        kept = [a for a in node.names if f"workflows.{a.name}" not in moves]
        out = []
        if kept:
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
            out.append(f"{indent}from workflows import {names}\n")
        for alias in node.names:
            if alias in kept:
                continue
            package, leaf = moves[f"workflows.{alias.name}"].rsplit(".", 1)
            local = alias.asname or alias.name
            out.append(
                f"{indent}from {package} import {leaf}"
                + (f" as {local}" if local != leaf else "")
                + "\n"
            )
        edits.append((node.lineno - 1, node.end_lineno or node.lineno, "".join(out)))
    for start, end, new in sorted(edits, reverse=True):
        lines[start:end] = [new]
    return "".join(lines)


def _rewrite_names(text: str, moves: dict[str, str]) -> str:
    """``workflows.x`` → its new name and ``workflows/x.py`` → its new path, in one pass."""
    olds = sorted((old.split(".", 1)[1] for old in moves), key=len, reverse=True)
    dotted = re.compile(r"(?<![\w.])workflows\.(" + "|".join(olds) + r")(?!\w)")
    text = dotted.sub(lambda m: moves[f"workflows.{m[1]}"], text)
    slashed = re.compile(r"(?<![\w/])workflows/(" + "|".join(olds) + r")\.py(?!\w)")
    return slashed.sub(lambda m: moves[f"workflows.{m[1]}"].replace(".", "/") + ".py", text)


def _files() -> list[Path]:
    found = [ROOT / name for name in REWRITE_FILES if (ROOT / name).exists()]
    for root in REWRITE_ROOTS:
        found += [
            p
            for p in (ROOT / root).rglob("*")
            if p.is_file() and p.suffix in REWRITE_SUFFIXES and "__pycache__" not in p.parts
        ]
    return [p for p in found if p.resolve() != Path(__file__).resolve()]


def _rewrite(moves: dict[str, str]) -> int:
    changed = 0
    for path in _files():
        text = path.read_text(encoding="utf-8")
        new = _rewrite_names(text, moves)  # first: it must not see what the next step writes
        if path.suffix == ".py":
            new = _rewrite_from_workflows(new, moves)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def _remember_in_codec(moves: dict[str, str]) -> None:
    codec = _path(moves.get("workflows.notice_codec", "workflows.notice_codec"))
    text = codec.read_text(encoding="utf-8")
    renamed = dict(moves)
    for old, new in moves.items():  # a moved package: each of its modules too
        folder = _path(new).with_suffix("")
        for sub in folder.glob("*.py") if folder.is_dir() else ():
            if sub.stem != "__init__":
                renamed[f"{old}.{sub.stem}"] = f"{new}.{sub.stem}"
    entries = "".join(f'    "{old}": "{new}",\n' for old, new in sorted(renamed.items()))
    marker = "RENAMED_MODULES: dict[str, str] = {"
    if marker + "}" in text:
        text = text.replace(marker + "}", marker + "\n" + entries + "}")
    else:
        text = text.replace(marker + "\n", marker + "\n" + entries)
    codec.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    """Print the plan, or carry it out with ``--apply``; see the module docstring."""
    moves, problems = plan()
    for old, new in moves.items():
        source = _source(old)
        assert source is not None
        print(f"{source.relative_to(ROOT)} -> {_target(old, new).relative_to(ROOT)}")
    for problem in problems:
        print(f"cannot regroup: {problem}", file=sys.stderr)
    if problems:
        return 1
    if "--apply" not in argv:
        print(f"{len(moves)} modules would move; run with --apply to do it")
        return 0
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if dirty.strip():
        print("cannot regroup: commit or stash your changes first", file=sys.stderr)
        return 1
    _move(moves)
    changed = _rewrite(moves)
    _remember_in_codec(moves)
    ruff = str(Path(sys.executable).with_name("ruff"))
    subprocess.run(
        [ruff, "check", "--fix", "--select", "I,F401", "-q", "."], cwd=ROOT, check=False
    )
    subprocess.run([ruff, "format", "-q", "."], cwd=ROOT, check=True)
    left = subprocess.run([ruff, "check", "-q", "--output-format=concise", "."], cwd=ROOT)
    if left.returncode:
        print("fix the lines above by hand (longer names in docstrings and comments)")
    print(f"moved {len(moves)} modules, rewrote {changed} files; now run mypy and the tests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
