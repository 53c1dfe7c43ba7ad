"""This module contains the plan rules of checks: yes/no and choice indicators.

Process control is often a check, not a number ("Was the service description updated in the
register?", "Which stage is the procurement in?"). A check lists ``options``, each with the
status choosing it gives, and names the option that meets the target as ``target``.
:func:`choice_defaults` fills in what the numeric code paths need before validation;
:func:`check_options` validates the result. Each mistake is a ``PydanticCustomError`` whose
type is an issue code of :mod:`workflows.plan.errors` (its ``at`` names the key to point at).

Values are compared as text (``"yes_no"``, ``"ok"``), since the schema's enums are
string enums and this module must not import the schema that uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import PydanticCustomError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from workflows.plan.schema import Indicator

YES_NO, CHOICE = "yes_no", "choice"
MAX_OPTIONS = 12
"""Most options a check may have (a longer list would not fit a chat keyboard or a chart)."""
YES_NO_DEFAULT: tuple[dict[str, str], ...] = (
    {"id": "yes", "status": "ok"},
    {"id": "no", "status": "critical"},
)
"""The options of a ``yes_no`` indicator that lists none: yes is OK, no is critical."""
NUMERIC_ONLY = ("unit", "direction", "warning", "critical", "decimals", "minimum", "maximum")
"""Keys a check must not have (its options carry the statuses)."""


def yes_no_id(value: object) -> object:
    """An option id as written: YAML 1.1 reads an unquoted ``yes``/``no`` as a boolean."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def choice_defaults(data: Any) -> Any:
    """Fill a check's numeric keys so that the numeric code paths hold.

    The plan's ``target`` (an option id) moves to ``target_option``; a check's value is the
    chosen option's number (1-based, in plan order), so ``minimum`` is 1, ``maximum`` the
    number of options, and ``target``/``warning``/``critical`` are 1 and never used
    (evaluation reads the options). A ``yes_no`` check without options gets
    :data:`YES_NO_DEFAULT`, without a target ``yes``.

    Raises:
        PydanticCustomError: ``choice_numeric_key`` when a numeric key is given.
    """
    if not isinstance(data, dict) or data.get("value_type") not in (YES_NO, CHOICE):
        return data
    given = [key for key in NUMERIC_ONLY if key in data]
    if given or "target_option" in data:
        name = given[0] if given else "target_option"
        raise PydanticCustomError(
            "choice_numeric_key",
            "a yes_no or choice indicator has no {key}",
            {"key": name, "value_type": str(data["value_type"]), "at": name},
        )
    out = dict(data)
    if out["value_type"] == YES_NO:
        out.setdefault("options", YES_NO_DEFAULT)
        out.setdefault("target", True)
    options = out.get("options")
    count = len(options) if isinstance(options, list | tuple) else 0
    out["target_option"] = yes_no_id(out.pop("target", None))
    out["unit"] = {"code": str(out["value_type"]), "lv": "-", "en": "-"}
    out.update(direction="higher_is_better", target=1, warning=1, critical=1)
    out.update(decimals=0, minimum=1, maximum=max(count, 1))
    return out


def check_options(indicator: Indicator) -> None:
    """Validate a check's options and target (and that only checks have options).

    Raises:
        PydanticCustomError: ``options_not_choice``, ``choice_option_count``,
            ``choice_option_twice``, ``yes_no_options``, ``choice_option_label``,
            ``choice_target`` or ``choice_target_not_ok``.
    """
    if not indicator.is_choice:
        if indicator.options:
            raise PydanticCustomError(
                "options_not_choice",
                "options are only for yes_no and choice indicators",
                {"at": "options"},
            )
        return
    ids = [option.id for option in indicator.options]
    if not 2 <= len(ids) <= MAX_OPTIONS:
        raise PydanticCustomError(
            "choice_option_count",
            "a check needs 2 to 12 options",
            {"count": len(ids), "at": "options"},
        )
    twice = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
    if twice is not None:
        raise PydanticCustomError(
            "choice_option_twice",
            "option {value} is listed twice",
            {"value": twice, "at": "options"},
        )
    if indicator.value_type == YES_NO and sorted(ids) != ["no", "yes"]:
        raise PydanticCustomError(
            "yes_no_options",
            "yes_no options must be yes and no",
            {"value": ", ".join(ids), "at": "options"},
        )
    unlabelled = next((o.id for o in indicator.options if o.label is None), None)
    if indicator.value_type == CHOICE and unlabelled is not None:
        raise PydanticCustomError(
            "choice_option_label",
            "option {value} needs a label",
            {"value": unlabelled, "at": "options"},
        )
    target = indicator.option(indicator.target_option or "")
    if target is None:
        raise PydanticCustomError(
            "choice_target",
            "target must be one of the options",
            {"value": indicator.target_option or "", "allowed": ", ".join(ids), "at": "target"},
        )
    if target.status != "ok":
        raise PydanticCustomError(
            "choice_target_not_ok",
            "the target option must be ok",
            {"value": target.id, "at": "target"},
        )
