"""This module contains :class:`PlanIssue` and :class:`PlanError`, the plan loader's errors.

Every problem in a plan becomes one :class:`PlanIssue` that points at a file and a 1-based
line, names the offending key as a path (``services[0].indicators[2].colour``) and carries a
short stable ``code`` with string ``params``. The texts users read are made from the code and
the params by :mod:`bot.plan_report`, so this module holds no user-facing wording.

Codes (params in brackets): ``yaml_syntax`` (problem), ``not_found``, ``unreadable`` (problem),
``empty_folder``, ``duplicate_key`` (key, first = ``file:line`` of the first one), ``unknown_key``
(key, allowed), ``missing`` (key), ``wrong_type`` (expected: words of :data:`EXPECTED_WORDS` or
quoted values, `` | ``-joined), ``not_one_of`` (value, allowed), ``bad_id`` (value),
:data:`~workflows.plan.accounts.ADDRESS_ISSUE` (value), ``bad_pattern`` (value, pattern),
``empty``, ``too_short`` (min), ``too_long`` (max), ``too_few_items`` (min), ``too_many_items``
(max), ``too_small`` (min), ``too_large`` (max), ``thresholds_order`` (rule, direction, target,
warning, critical; at the line of the threshold out of order), ``min_above_max``, ``decimal_comma``
(value, fixed: a number written ``"4,5"``), ``clock_time`` (value, hint: a time written as a
number), ``control_characters`` (char, e.g. ``U+0000``), ``plan_too_large`` (size, max, in MB),
``invalid`` (detail: pydantic's English message), ``duplicate_id`` (value, first),
``unknown_reference`` (kind = person|role|channel|indicator|activity, value, allowed),
``approver_not_held`` (role, allowed), ``no_holder`` (mark, scale), ``too_many_indicators`` (depth,
max, count), ``unknown_timezone`` (value), ``rollup_with_activities`` (channel),
``rollup_not_wider`` (scale, channel, covered); for yes/no and choice indicators
``choice_numeric_key`` (key, value_type), ``options_not_choice``, ``choice_option_count`` (count),
``choice_option_twice`` (value), ``yes_no_options`` (value), ``choice_option_label`` (value),
``choice_target`` (value, allowed), ``choice_target_not_ok`` (value). ``allowed`` is always
comma-separated.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from workflows.plan import accounts
from workflows.plan.schema import INTERNAL_KEYS, Plan

PathTuple = tuple[str | int, ...]
"""A key path inside the plan: mapping keys are ``str``, list indexes are ``int``."""

Location = tuple[Path, int]
"""A file and a 1-based line."""

EXPECTED_WORDS: Final[tuple[str, ...]] = (
    "text",
    "number",
    "whole number",
    "true or false",
    "date",
    "list",
    "mapping",
    "id",
)
"""The words :class:`PlanIssue` uses in the ``expected`` param of ``wrong_type``."""


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path the way issues show it.

    Args:
        path: Keys and list indexes, outermost first.

    Returns:
        Dotted keys with ``[i]`` indexes, e.g. ``services[0].indicators[2].colour``; ``""``
        for the plan's root.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a plan.

    Attributes:
        file: The YAML file (or the missing path) the problem is in.
        line: 1-based line of the offending key or node.
        path: The key path, e.g. ``services[0].indicators[1].colour`` (``""`` = the root).
        code: A short stable code (see the module docstring).
        params: Values for the message placeholders, all strings.
    """

    file: Path
    line: int
    path: str
    code: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __hash__(self) -> int:
        return hash((self.file, self.line, self.path, self.code, tuple(self.params.items())))

    def sort_key(self) -> tuple[str, int, str, str]:
        """The order issues are reported in: file, line, path, code."""
        return (str(self.file), self.line, self.path, self.code)

    def __str__(self) -> str:
        details = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.file}:{self.line}: {self.path or '.'}: {self.code}" + (
            f" ({details})" if details else ""
        )


class PlanError(Exception):
    """A plan could not be loaded; ``issues`` lists every problem found, in file/line order.

    Args:
        issues: The problems; duplicates are dropped and the rest sorted.
    """

    def __init__(self, issues: Iterable[PlanIssue]) -> None:
        unique = dict.fromkeys(issues)
        self.issues: tuple[PlanIssue, ...] = tuple(sorted(unique, key=PlanIssue.sort_key))
        count = len(self.issues)
        first = f": {self.issues[0]}" if self.issues else ""
        super().__init__(f"the plan has {count} problem(s){first}")


# --- pydantic errors -> issues ---------------------------------------------------------------

_TYPE_WORDS: Final[dict[str, str]] = {
    "string_type": "text",
    "string_sub_type": "text",
    "int_type": "whole number",
    "int_parsing": "whole number",
    "int_from_float": "whole number",
    "float_type": "number",
    "float_parsing": "number",
    "decimal_type": "number",
    "decimal_parsing": "number",
    "finite_number": "number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": "date",
    "date_parsing": "date",
    "dict_type": "mapping",
    "model_type": "mapping",
    "model_attributes_type": "mapping",
    "list_type": "list",
    "tuple_type": "list",
    "iterable_type": "list",
}
CHOICE_CODES: Final[frozenset[str]] = frozenset(
    {
        "choice_numeric_key",
        "choice_option_count",
        "choice_option_label",
        "choice_option_twice",
        "choice_target",
        "choice_target_not_ok",
        "options_not_choice",
        "yes_no_options",
    }
)
"""Codes the schema raises itself for yes/no and choice indicators (their ctx are params)."""
_ID_PATTERN = "^[a-z0-9][a-z0-9_-]*$"
_THRESHOLDS = re.compile(
    r"thresholds must satisfy (?P<rule>.+?) for (?P<direction>\w+): target=(?P<target>\S+) "
    r"warning=(?P<warning>\S+) critical=(?P<critical>\S+) at=(?P<at>\w+)"
)
_CLOCK = re.compile(r'clock time must be text "HH:MM": value=(?P<value>.*) hint=(?P<hint>\S+)')
_DECIMAL_COMMA = re.compile(r"\s*[+-]?[0-9]+,[0-9]+\s*")
_OWN_LINE = {"thresholds_precision": "name", "threshold_out_of_range": "name"}
"""Issues about one key of a mapping point at that key's line: the param naming it."""
_PRECISION = re.compile(
    r"(?P<name>\w+) \S+ has more decimal places than decimals \((?P<decimals>\d+)\)"
)
_RANGE = re.compile(r"(?P<name>\w+) \S+ is outside the range (?P<range>\S+) that values may take")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _allowed_keys(loc: PathTuple) -> str:
    """The keys the mapping at ``loc`` accepts (``""`` if it is not a model)."""
    current: Any = Plan
    for part in (*loc, None):
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if part is None:  # fields filled in by the schema itself are not for plans
                hidden = INTERNAL_KEYS | accounts.DEPRECATED
                return ", ".join(k for k in current.model_fields if k not in hidden)
            field_info = current.model_fields.get(str(part))
            if field_info is None:
                return ""
            current = field_info.annotation
        elif get_origin(current) in (tuple, list, dict) and part is not None:
            current = get_args(current)[-1 if get_origin(current) is dict else 0]
        else:
            return ""
    return ""


def _code(error: ErrorDetails, loc: PathTuple) -> tuple[str, dict[str, str]]:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in CHOICE_CODES:
        return kind, {key: str(item) for key, item in ctx.items()}
    if kind in _TYPE_WORDS and isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value):
        return "decimal_comma", {"value": value.strip(), "fixed": value.strip().replace(",", ".")}
    if kind in _TYPE_WORDS:
        return "wrong_type", {"expected": _TYPE_WORDS[kind]}
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        allowed = re.findall(r"'([^']*)'", expected) or [expected]
        return "not_one_of", {"value": _short(value), "allowed": ", ".join(allowed)}
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern == _ID_PATTERN:
            return "bad_id", {"value": _short(value)}
        if accounts.address_issue(loc):
            return accounts.ADDRESS_ISSUE, {"value": _short(value)}
        return "bad_pattern", {"value": _short(value), "pattern": pattern}
    limits: dict[str, tuple[str, str]] = {
        "string_too_short": ("too_short", "min_length"),
        "string_too_long": ("too_long", "max_length"),
        "too_short": ("too_few_items", "min_length"),
        "too_long": ("too_many_items", "max_length"),
        "greater_than_equal": ("too_small", "ge"),
        "greater_than": ("too_small", "gt"),
        "less_than_equal": ("too_large", "le"),
        "less_than": ("too_large", "lt"),
    }
    if kind in limits:
        code, key = limits[kind]
        if code == "too_short" and str(ctx.get(key)) == "1":
            return "empty", {}
        name = "min" if code in ("too_short", "too_few_items", "too_small") else "max"
        return code, {name: str(ctx.get(key, ""))}
    message = str(error.get("msg", kind)).removeprefix("Value error, ")
    match = _THRESHOLDS.search(message)
    if match:
        return "thresholds_order", match.groupdict()
    if match := _CLOCK.search(message):
        return "clock_time", {"value": _short(match["value"]), "hint": match["hint"]}
    if "minimum must not be greater than maximum" in message:
        return "min_above_max", {"at": "minimum"}
    if match := _PRECISION.search(message):
        return "thresholds_precision", {"name": match["name"], "decimals": match["decimals"]}
    if match := _RANGE.search(message):
        return "threshold_out_of_range", {"name": match["name"], "range": match["range"]}
    if "text has no visible characters" in message:
        return "empty", {}
    if "number must be finite" in message:
        return "too_large", {"max": "10^15"}
    return "invalid", {"detail": message}


def _expectation(code: str, params: Mapping[str, str], branch: str | int) -> str:
    if str(branch).startswith("constrained-str"):
        return "id"
    if code == "not_one_of":
        return " | ".join(f"'{a}'" for a in params["allowed"].split(", "))
    return {"wrong_type": params.get("expected", ""), "bad_id": "id"}.get(code, "")


def _spurious(error: ErrorDetails) -> bool:
    """Pydantic reports ``too_short`` for a tuple whose items failed; the items are reported."""
    if error["type"] != "too_short":
        return False
    value, minimum = error.get("input"), (error.get("ctx") or {}).get("min_length", 0)
    return isinstance(value, list | tuple) and len(value) >= int(minimum)


def issues_from_validation(
    exc: ValidationError, locs: Mapping[PathTuple, Location]
) -> list[PlanIssue]:
    """Turn pydantic's errors into issues at the nearest located node.

    An unknown key points at the key itself, a missing key at the mapping that lacks it,
    anything else at the key whose value is wrong. The errors of the branches of one union
    (``approved_by: A`` or a role id) become one ``wrong_type`` issue.

    Args:
        exc: The validation error of :class:`~workflows.plan.schema.Plan`.
        locs: Where every key and list item of the validated data is.

    Returns:
        One issue per problem, unsorted.
    """
    issues: list[PlanIssue] = []
    branches: dict[PathTuple, tuple[int, list[str]]] = {}
    for error in exc.errors(include_url=False):
        if _spurious(error):
            continue
        loc: PathTuple = tuple(error["loc"])
        size = next(n for n in range(len(loc), -1, -1) if loc[:n] in locs or n == 0)
        file, line = locs.get(loc[:size]) or locs[()]
        path = loc[:size]
        code, params = _code(error, loc)
        if error["type"] == "missing" and size < len(loc):
            path = (*path, loc[size])
            code, params = "missing", {"key": str(loc[size])}
        elif error["type"] == "extra_forbidden":
            code = "unknown_key"
            params = {"key": str(loc[-1]), "allowed": _allowed_keys(loc[:-1])}
        elif size < len(loc) and loc[-1] != "[key]":
            index, words = branches.setdefault(path, (len(issues), []))
            words.append(_expectation(code, params, loc[size]))
            if len(words) > 1:
                expected = " | ".join(dict.fromkeys(w for w in words if w))
                old = issues[index]
                issues[index] = PlanIssue(
                    old.file, old.line, old.path, "wrong_type", {"expected": expected}
                )
                continue
        key = params.get(_OWN_LINE.get(code, "at"), "")
        if key and (*path, key) in locs:  # the threshold's own line, not the indicator's
            path = (*path, key)
            file, line = locs[path]
        params = {k: v for k, v in params.items() if k != "at"}
        issues.append(PlanIssue(file, line, format_path(path), code, params))
    return issues
