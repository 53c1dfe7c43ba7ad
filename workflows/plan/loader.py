"""This module loads control plans from YAML and reports every problem with its ``file:line``.

A plan is one YAML file or a folder of ``*.yaml``/``*.yml`` parts merged at top level. The
YAML is composed into nodes (PyYAML's safe loader) so that every value keeps its file and
line; the plain data is then validated with :class:`~workflows.plan.schema.Plan` and
checked by :mod:`workflows.plan.references`. All problems are collected and raised together
as one :class:`~workflows.plan.errors.PlanError`.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from workflows.heap import collection_paused
from workflows.plan.apart import load_plan_apart
from workflows.plan.errors import (
    Location,
    PathTuple,
    PlanError,
    PlanIssue,
    format_path,
    issues_from_validation,
)
from workflows.plan.model import LoadedPlan
from workflows.plan.references import Locate, check_references
from workflows.plan.schema import Plan

_MERGE_TAG = "tag:yaml.org,2002:merge"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_INT_TAG = "tag:yaml.org,2002:int"
_STR_TAG = "tag:yaml.org,2002:str"
MAX_PLAN_BYTES = 5 * 1024 * 1024
"""Largest plan accepted, all files together, checked before reading: 1,000 activities with
4,500 indicators are 4 MiB (bench/bench_plan.py); a 55 MB file used to take 55 s and 2.1 GB
of memory to be refused."""
_ALLOWED_CONTROLS = frozenset("\n\t")
"""Line feeds and tabs may appear in a block text; no other control character may."""
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Direction overrides and isolates: they make a label display as something else."""
_SUFFIXES = (".yaml", ".yml")
_MAX_NODES = 200_000
"""More values than this (e.g. aliases expanding exponentially) is refused, not built."""

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (about 10x faster), else pure Python."""


class _TooLarge(Exception):
    pass


class _Part:
    """One YAML file turned into plain data plus the location of every key and item."""

    def __init__(self, file: Path, size: int = 0) -> None:
        self.file = file
        self.locs: dict[PathTuple, Location] = {}
        self.issues: list[PlanIssue] = []
        self._constructor = yaml.constructor.SafeConstructor()
        self._active: set[int] = set()
        # a document without aliases has fewer values than characters; more means expansion
        self._budget = max(_MAX_NODES, size)

    def issue(self, line: int, path: PathTuple, code: str, **params: str) -> None:
        self.issues.append(PlanIssue(self.file, line, format_path(path), code, params))

    def build(self, node: yaml.Node, path: PathTuple, line: int) -> Any:
        """Convert ``node`` (found at ``line``) to plain data, recording locations."""
        self.locs.setdefault(path, (self.file, line))
        self._budget -= 1
        if self._budget < 0:
            raise _TooLarge
        if id(node) in self._active:
            self.issue(line, path, "yaml_recursive_alias")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [
                    self.build(item, (*path, i), _line(item)) for i, item in enumerate(node.value)
                ]
            return self._scalar(node, path, line)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: PathTuple) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            line = _line(key_node)
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.issue(line, path, "wrong_type", expected="text")
                continue
            key = str(key_node.value)
            if char := _unsafe_character(key):
                self.issue(line, path, "control_characters", char=char)
                continue
            if key in first:
                first_at = f"{self.file}:{first[key]}"
                self.issue(line, (*path, key), "duplicate_key", key=key, first=first_at)
                continue
            first[key] = line
            out[key] = self.build(value_node, (*path, key), line)
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.issue(_line(merge), path, "wrong_type", expected="mapping")
                    continue
                for key_node, value_node in source.value:
                    key = str(key_node.value)
                    if key not in out and key_node.tag != _MERGE_TAG:
                        out[key] = self.build(value_node, (*path, key), _line(key_node))
        return out

    def _scalar(self, node: yaml.Node, path: PathTuple, line: int) -> Any:
        if node.tag == _INT_TAG and ":" in str(node.value):
            # YAML 1.1 reads an unquoted 9:00 as 540 (base 60); it is a clock time
            return str(node.value)
        if node.tag == _STR_TAG and (char := _unsafe_character(str(node.value))):
            self.issue(line, path, "control_characters", char=char)
            return "".join(ch for ch in str(node.value) if not _unsafe_character(ch))
        if node.tag == _FLOAT_TAG:
            try:
                number = Decimal(str(node.value).replace("_", ""))
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.issue(line, path, "yaml_syntax", problem=_problem(exc))
            return None


def _unsafe_character(text: str) -> str:
    """The first control or direction-override character of ``text`` as ``U+0000``, or ``""``.

    PostgreSQL cannot store NUL, and the others break or disguise what people read.
    """
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS) or (
            ch in _BIDI_CONTROLS
        ):
            return f"U+{ord(ch):04X}"
    return ""


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = [exc.context, exc.problem]
        text = "; ".join(p for p in parts if p)
        return text or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _read_part(file: Path) -> tuple[_Part, dict[str, Any] | None]:
    part = _Part(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        part.issue(1, (), "not_utf8")
        return part, None
    except OSError as exc:
        part.issue(1, (), "unreadable", problem=exc.strerror or str(exc))
        return part, None
    part = _Part(file, len(text))
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = {} if root is None else part.build(root, (), _line(root))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(mark.line) + 1 if mark is not None else 1
        part.issue(line, (), "yaml_syntax", problem=_problem(exc))
        return part, None
    except (RecursionError, _TooLarge):
        part.issue(1, (), "yaml_too_large")
        return part, None
    if root is None:
        part.locs[()] = (file, 1)
    if not isinstance(data, dict):
        part.issue(_line(root) if root is not None else 1, (), "wrong_type", expected="mapping")
        return part, None
    return part, data


def _plan_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            (p for p in path.iterdir() if p.suffix in _SUFFIXES and not p.name.startswith(".")),
            key=lambda p: p.name,
        )
        files = [p for p in files if p.is_file()]
        if not files:
            raise PlanError([PlanIssue(path, 1, "", "empty_folder")])
        return files
    if path.is_file():
        return [path]
    raise PlanError([PlanIssue(path, 1, "", "not_found")])


def _merge(
    parts: list[tuple[_Part, dict[str, Any]]],
) -> tuple[dict[str, Any], dict[PathTuple, Location], list[PlanIssue]]:
    """Merge folder parts at top level: lists concatenate, mappings join, clashes are issues."""
    merged: dict[str, Any] = {}
    locs: dict[PathTuple, Location] = {(): parts[0][0].locs[()]}
    issues: list[PlanIssue] = []

    def clash(part: _Part, path: PathTuple, key: str) -> None:
        file, line = part.locs[path]
        first_file, first_line = locs[path]
        issues.append(
            PlanIssue(
                file,
                line,
                format_path(path),
                "duplicate_key",
                {"key": key, "first": f"{first_file}:{first_line}"},
            )
        )

    def copy(part: _Part, prefix: PathTuple, shift: int = 0) -> None:
        size = len(prefix)
        for path, loc in part.locs.items():
            if len(path) <= size or path[:size] != prefix:
                continue
            index = path[size]
            if shift and isinstance(index, int):
                path = (*prefix, index + shift, *path[size + 1 :])
            locs.setdefault(path, loc)

    for part, data in parts:
        for key, value in data.items():
            old = merged.get(key)
            if key not in merged:
                merged[key] = value
                locs[(key,)] = part.locs[(key,)]
                copy(part, (key,))
            elif isinstance(old, list) and isinstance(value, list):
                merged[key] = [*old, *value]
                copy(part, (key,), shift=len(old))
            elif isinstance(old, dict) and isinstance(value, dict):
                merged[key] = dict(old)
                for sub, sub_value in value.items():
                    if sub in old:
                        clash(part, (key, sub), sub)
                        continue
                    merged[key][sub] = sub_value
                    locs[(key, sub)] = part.locs[(key, sub)]
                    copy(part, (key, sub))
            else:
                clash(part, (key,), key)
    return merged, locs, issues


def _check_size(files: list[Path]) -> None:
    """Refuse a plan larger than :data:`MAX_PLAN_BYTES` before reading it."""
    sizes = []
    for file in files:
        try:
            sizes.append(file.stat().st_size)
        except OSError:
            sizes.append(0)  # reading it reports the problem
    if sum(sizes) > MAX_PLAN_BYTES:
        biggest = files[sizes.index(max(sizes))]
        megabytes = str(-(-sum(sizes) // (1024 * 1024)))  # whole MB, rounded up
        limit = str(MAX_PLAN_BYTES // (1024 * 1024))
        raise PlanError(
            [PlanIssue(biggest, 1, "", "plan_too_large", {"size": megabytes, "max": limit})]
        )


def _locator(locs: dict[PathTuple, Location]) -> Locate:
    def locate(path: PathTuple) -> Location:
        for size in range(len(path), -1, -1):
            found = locs.get(path[:size])
            if found is not None:
                return found
        return locs[()]

    return locate


def load_plan(path: Path) -> LoadedPlan:
    """Load and validate a control plan.

    Args:
        path: A YAML file, or a folder whose ``*.yaml``/``*.yml`` files (sorted by name)
            are the parts of one plan.

    Returns:
        The validated plan with its source files.

    Raises:
        PlanError: With every problem found, each pointing at a file and line.
    """
    with collection_paused():  # millions of short-lived objects (workflows.heap)
        return _load(path)


def _load(path: Path) -> LoadedPlan:
    files = _plan_files(path)
    _check_size(files)
    read = [_read_part(file) for file in files]
    issues = [issue for part, _ in read for issue in part.issues]
    parts = [(part, data) for part, data in read if data is not None]
    if len(parts) != len(read):
        raise PlanError(issues)
    data, locs, merge_issues = _merge(parts)
    issues.extend(merge_issues)
    locate = _locator(locs)
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        issues.extend(issues_from_validation(exc, locs))
        raise PlanError(issues) from None
    issues.extend(check_references(plan, locate))
    if issues:
        raise PlanError(issues)
    return LoadedPlan(plan=plan, sources=tuple(files))


def bundled_plan_path() -> Path:
    """Return the folder of the bundled sample plan (``workflows/plans``).

    Works from a source checkout and from an installed (non-editable) wheel, where the
    folder is unpacked next to the ``workflows`` package.
    """
    folder = resources.files("workflows").joinpath("plans")
    return folder if isinstance(folder, Path) else Path(str(folder))


def load_default_plan(path: Path | None) -> LoadedPlan:
    """Load the plan at ``path``, or the bundled sample plan when ``path`` is ``None``.

    A large plan is loaded in a child process (:mod:`workflows.plan.apart`), so that the
    temporary objects of loading never take this process's memory.

    Raises:
        PlanError: With every problem found.
    """
    return load_plan_apart(path if path is not None else bundled_plan_path(), load_plan)
