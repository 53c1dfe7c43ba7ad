"""This module turns plan issues into translated text lines for the CLI.

:func:`format_issues` gives one ``file:line: key.path: message`` line per
:class:`~workflows.plan.errors.PlanIssue` (a loaded plan's overview, readiness and changes
are :mod:`bot.plan_overview`'s). Every text goes through the :class:`~bot.i18n.Translator`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

from bot.i18n import N_, Translator
from bot.plan_texts import validator_text, yaml_problem
from workflows.numbers import format_decimal
from workflows.plan.errors import PlanIssue

MESSAGES: Final[dict[str, str]] = {
    "yaml_syntax": N_("YAML syntax error: {problem}"),
    "not_found": N_("The file or folder does not exist; expected: a YAML file or a folder"),
    "unreadable": N_("The file cannot be read: {problem}"),
    "not_utf8": N_("The file is not UTF-8 text; expected: a YAML file saved as UTF-8"),
    "yaml_recursive_alias": N_("A YAML alias refers to itself; expected: a finite value"),
    "yaml_too_large": N_(
        "The YAML is nested too deeply or its aliases expand too much; expected: a plain plan"
    ),
    "empty_folder": N_("The folder has no *.yaml or *.yml files"),
    "duplicate_key": N_('Key "{key}" is given more than once (first at {first})'),
    "unknown_key": N_('Unknown key "{key}"; expected one of: {allowed}'),
    "missing": N_('Required key "{key}" is missing'),
    "wrong_type": N_("Wrong type of value; expected: {expected}"),
    "not_one_of": N_('Value "{value}" is not allowed; expected one of: {allowed}'),
    "bad_id": N_(
        'Invalid id "{value}"; expected: lower-case letters a–z, digits, "-" and "_", '
        "starting with a letter or digit"
    ),
    "bad_email": N_('Invalid e-mail address "{value}"; expected: name@domain'),
    "bad_pattern": N_('Value "{value}" does not match the pattern {pattern}'),
    "empty": N_("The text is empty; expected: a non-empty text"),
    "too_short": N_("The text is too short; minimum length: {min}"),
    "too_long": N_("The text is too long; maximum length: {max}"),
    "too_few_items": N_("Too few items; expected at least: {min}"),
    "too_many_items": N_("Too many items; expected at most: {max}"),
    "too_small": N_("The value is too small; expected at least: {min}"),
    "too_large": N_("The value is too large; expected at most: {max}"),
    "thresholds_order": N_(
        "The thresholds are in the wrong order for “{direction}”: target {target}, "
        "warning {warning}, critical {critical}; expected: {rule}"
    ),
    "decimal_comma": N_('"{value}" is not a number here; write it with a decimal point: {fixed}'),
    "clock_time": N_(
        'The time {value} is written as a number; write hours and minutes in quotes: "{hint}"'
    ),
    "control_characters": N_(
        "The text contains a control or direction-changing character ({char}); expected: "
        "visible text only"
    ),
    "plan_too_large": N_(
        "The plan is {size} MB; expected at most {max} MB (split off or shorten what is not "
        "a plan)"
    ),
    "min_above_max": N_("The minimum is greater than the maximum; expected: minimum <= maximum"),
    "thresholds_precision": N_(
        "{name} has more decimal places than the indicator shows; expected at most {decimals}"
    ),
    "threshold_out_of_range": N_(
        "{name} is outside the range values may take; expected within {range}"
    ),
    "invalid": N_("Invalid value: {detail}"),
    "duplicate_id": N_('Id "{value}" is already used (first at {first})'),
    "unknown_reference": N_('Unknown reference ({kind}): "{value}"; expected one of: {allowed}'),
    "approver_not_held": N_(
        'Nobody holds role "{role}" in this activity or as the organisation lead; '
        'expected: "A" or one of: {allowed}'
    ),
    "no_holder": N_(
        'Nobody holds {mark} at the activity\'s scale "{scale}"; '
        "expected: at least one {mark} holder under responsibility.{scale}"
    ),
    "too_many_indicators": N_(
        'Too many indicators for control depth "{depth}": {count}; expected at most: {max}'
    ),
    "unknown_timezone": N_(
        'Unknown time zone "{value}"; expected: an IANA name such as Europe/Riga'
    ),
    "rollup_with_activities": N_(
        'Channel "{channel}" is a roll-up channel; expected: a team channel without rollup'
    ),
    "rollup_not_wider": N_(
        'The roll-up scale "{scale}" is not wider than "{covered}" of channel "{channel}"; '
        "expected: a wider scale"
    ),
    "choice_numeric_key": N_(
        'A {value_type} indicator has no "{key}", its options give the status; '
        "expected: options and target"
    ),
    "options_not_choice": N_(
        "Only yes/no and choice indicators have options; expected: value_type yes_no or choice"
    ),
    "choice_option_count": N_("Number of options: {count}; expected: 2 to 12"),
    "choice_option_twice": N_('Option "{value}" is listed twice; expected: each option once'),
    "yes_no_options": N_('The options are "{value}"; expected: yes and no'),
    "choice_option_label": N_(
        'Option "{value}" has no label; expected: a label in Latvian and English'
    ),
    "choice_target": N_('Target "{value}" is not an option; expected one of: {allowed}'),
    "choice_target_not_ok": N_(
        'The target option "{value}" does not have status ok; expected: an option with status ok'
    ),
}
"""One English msgid per issue code; placeholders are the issue's params."""

_FALLBACK = N_("Problem {code}")
_ROOT = N_("(plan)")
_WORDS: Final[dict[str, str]] = {
    "text": N_("text"),
    "number": N_("number"),
    "whole number": N_("whole number"),
    "true or false": N_("true or false"),
    "date": N_("date"),
    "list": N_("list"),
    "mapping": N_("mapping"),
    "id": N_("id"),
    "higher_is_better": N_("higher is better"),
    "lower_is_better": N_("lower is better"),
    "person": N_("person"),
    "role": N_("role"),
    "channel": N_("channel"),
    "indicator": N_("indicator"),
    "activity": N_("activity"),
}
"""Param values that are words rather than data, translated before they are inserted."""

_RULES: Final[dict[str, str]] = {
    "critical <= warning <= target": N_("critical <= warning <= target"),
    "target <= warning <= critical": N_("target <= warning <= critical"),
}
"""The order thresholds must follow, per direction, in the reader's words."""

_KEYS: Final[dict[str, str]] = {
    "target": N_("target"),
    "warning": N_("warning threshold"),
    "critical": N_("critical threshold"),
    "minimum": N_("minimum"),
    "maximum": N_("maximum"),
}
"""An indicator's numeric keys as a message names them."""


def _shown_file(file: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return file.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(file)


def _number(written: str, t: Translator) -> str:
    """A number of the plan as the reader writes it: ``95.0`` → Latvian ``95,0``.

    It keeps the decimal places it was written with; anything else stays as written.
    """
    try:
        value = Decimal(written)
    except InvalidOperation:
        return written
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        return written
    return format_decimal(value, max(0, -exponent), t.lang)


def _params(code: str, params: Mapping[str, str], t: Translator) -> dict[str, str]:
    out = dict(params)
    if code == "wrong_type" and "expected" in out:
        words = [t.gettext(_WORDS[w]) if w in _WORDS else w for w in out["expected"].split(" | ")]
        if len(words) > 1:
            out["expected"] = t.gettext(
                "{items} or {last}", items=", ".join(words[:-1]), last=words[-1]
            )
        else:
            out["expected"] = words[0]
    if code == "unknown_reference" and out.get("kind") in _WORDS:
        out["kind"] = t.gettext(_WORDS[out["kind"]])
    if code in ("thresholds_precision", "threshold_out_of_range") and out.get("name") in _KEYS:
        name = t.gettext(_KEYS[out["name"]])
        out["name"] = name[:1].upper() + name[1:]  # the message starts with it
    if code == "threshold_out_of_range" and "range" in out:
        out["range"] = "..".join(_number(end, t) for end in out["range"].split(".."))
    if code == "thresholds_order":
        if out.get("direction") in _WORDS:
            out["direction"] = t.gettext(_WORDS[out["direction"]])
        if out.get("rule") in _RULES:
            out["rule"] = t.gettext(_RULES[out["rule"]])
        for name in ("target", "warning", "critical"):
            if name in out:
                out[name] = _number(out[name], t)
    if code == "yaml_syntax" and "problem" in out:
        out["problem"] = yaml_problem(out["problem"], t)
    if code == "invalid" and "detail" in out:
        out["detail"] = validator_text(out["detail"], t)
    return out


def format_issue(issue: PlanIssue, t: Translator, base: Path | None = None) -> str:
    """Format one issue as ``file:line: key.path: message``.

    Args:
        issue: The problem.
        t: The reader's translations.
        base: When the file is under this folder, it is shown relative to it.

    Returns:
        One line of text.
    """
    msgid = MESSAGES.get(issue.code)
    params = _params(issue.code, issue.params, t)
    if "first" in params:  # "file:line" of the earlier occurrence, shown like the file
        where, _, line = params["first"].rpartition(":")
        params["first"] = f"{_shown_file(Path(where), base)}:{line}" if where else params["first"]
    try:
        message = t.gettext(msgid, **params) if msgid else t.gettext(_FALLBACK, code=issue.code)
    except (KeyError, IndexError, ValueError):
        message = t.gettext(_FALLBACK, code=issue.code)
    path = issue.path or t.gettext(_ROOT)
    return f"{_shown_file(issue.file, base)}:{issue.line}: {path}: {message}"


def format_issues(
    issues: Iterable[PlanIssue], t: Translator, base: Path | None = None
) -> list[str]:
    """Format issues, one ``file:line: key.path: what is wrong and what is expected`` each.

    Args:
        issues: The problems, usually ``PlanError.issues``.
        t: The reader's translations.
        base: When a file is under this folder, it is shown relative to it.

    Returns:
        One line per issue, in the given order.
    """
    return [format_issue(issue, t, base) for issue in issues]
