"""This module contains an indicator of the plan (PU3-3 step 2): thresholds or options."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, Strict, model_validator

from workflows.plan.basics import Identifier, LocalText, PlanNumber, Unit, _Strict
from workflows.plan.checks import check_options, choice_defaults, yes_no_id
from workflows.plan.vocabulary import ControlType, Direction, Frequency, IndicatorKind, Mark


class ValueType(StrEnum):
    """How a value is given: a decimal number, a percentage, a whole number, or a check.

    ``yes_no`` and ``choice`` are checks (process control is often one): the measurer picks
    one of the indicator's ``options``, each of which carries its own status.
    """

    NUMBER = "number"
    PERCENT = "percent"
    INTEGER = "integer"
    YES_NO = "yes_no"
    CHOICE = "choice"


CHOICE_TYPES = frozenset({ValueType.YES_NO, ValueType.CHOICE})
"""The value types answered by picking an option."""

INTERNAL_KEYS = frozenset({"target_option"})
"""Indicator fields the schema fills itself: never written in a plan nor offered as keys."""


class OptionStatus(StrEnum):
    """The status an option of a yes/no or choice indicator gives its value."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


OptionId = Annotated[Identifier, BeforeValidator(yes_no_id)]
"""An option's id; an unquoted YAML ``yes``/``no`` (a boolean) reads as ``yes``/``no``."""


class ChoiceOption(_Strict):
    """One option of a yes/no or choice indicator, with the status choosing it gives.

    ``label`` is required for a ``choice`` option; a ``yes_no`` option without one is shown
    as the bot's own "Jā"/"Nē" ("Yes"/"No").
    """

    id: OptionId
    label: LocalText | None = None
    status: OptionStatus


class Indicator(_Strict):
    """One indicator of an activity (PU3-3 step 2).

    Thresholds follow ``direction``: for ``higher_is_better`` a value below ``critical`` is
    critical and below ``warning`` is a warning; for ``lower_is_better`` above them. The
    target is met when the value is at least (at most) ``target``.

    A ``yes_no`` or ``choice`` indicator (a check) has ``options`` instead: choosing one
    gives its status, and the target is met when the chosen option is ``target_option``
    (written ``target`` in the plan). Its value is the chosen option's number, 1-based in
    plan order (see :func:`workflows.plan.checks.choice_defaults`).
    """

    id: Identifier
    label: LocalText
    control_type: ControlType
    kind: IndicatorKind
    unit: Unit
    value_type: ValueType | None = None
    direction: Direction
    target: PlanNumber
    warning: PlanNumber
    critical: PlanNumber
    decimals: Annotated[int, Strict()] = Field(default=1, ge=0, le=6)
    minimum: PlanNumber | None = None
    maximum: PlanNumber | None = None
    frequency: Frequency
    measured_by: Mark
    approved_by: Identifier | Literal["A"] = "A"
    data_source: LocalText | None = None
    method: LocalText | None = None
    allow_skip: bool = False
    requires_approval: bool = False
    options: tuple[ChoiceOption, ...] = ()
    target_option: OptionId | None = None
    """Set from ``target`` for a check (:func:`~workflows.plan.checks.choice_defaults`); never
    written in a plan."""

    @model_validator(mode="before")
    @classmethod
    def _choices(cls, data: Any) -> Any:
        return choice_defaults(data)

    @model_validator(mode="after")
    def _options_fit(self) -> Indicator:
        check_options(self)
        return self

    @property
    def is_choice(self) -> bool:
        """Whether the indicator is a check (``yes_no`` or ``choice``)."""
        return self.effective_value_type in CHOICE_TYPES

    def option(self, option_id: str) -> ChoiceOption | None:
        """The option called ``option_id``, or ``None``."""
        return next((o for o in self.options if o.id == option_id), None)

    def option_at(self, value: Decimal) -> ChoiceOption | None:
        """The option a stored value (its 1-based number) stands for, or ``None``."""
        if not self.is_choice or value != value.to_integral_value():
            return None
        number = int(value)
        return self.options[number - 1] if 1 <= number <= len(self.options) else None

    def option_number(self, option_id: str) -> int | None:
        """The 1-based number (the stored value) of the option ``option_id``, or ``None``."""
        ids = [o.id for o in self.options]
        return ids.index(option_id) + 1 if option_id in ids else None

    @model_validator(mode="after")
    def _thresholds_follow_direction(self) -> Indicator:
        target, warning, critical = self.target, self.warning, self.critical
        if self.direction is Direction.HIGHER_IS_BETTER:
            wrong = "warning" if warning > target else "critical" if critical > warning else ""
            hint = "critical <= warning <= target"
        else:
            wrong = "warning" if warning < target else "critical" if critical < warning else ""
            hint = "target <= warning <= critical"
        if wrong:  # the values and the key out of order, for a message that points at it
            raise ValueError(
                f"thresholds must satisfy {hint} for {self.direction.value}: "
                f"target={target} warning={warning} critical={critical} at={wrong}"
            )
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum must not be greater than maximum")
        for name in ("target", "warning", "critical", "minimum", "maximum"):
            value: Decimal | None = getattr(self, name)
            exponent = value.normalize().as_tuple().exponent if value is not None else 0
            if isinstance(exponent, int) and -exponent > self.decimals:
                raise ValueError(
                    f"{name} {value} has more decimal places than decimals ({self.decimals})"
                )
        low, high = self.bounds
        for name in ("target", "warning", "critical"):
            value = getattr(self, name)
            if (low is not None and value < low) or (high is not None and value > high):
                shown = f"{'-inf' if low is None else low}..{'inf' if high is None else high}"
                raise ValueError(
                    f"{name} {value} is outside the range {shown} that values may take"
                )
        return self

    @property
    def bounds(self) -> tuple[Decimal | None, Decimal | None]:
        """The range a value may take: ``minimum``/``maximum``; for percentages 0..100."""
        if self.effective_value_type is ValueType.PERCENT:
            low = Decimal(0) if self.minimum is None else self.minimum
            high = Decimal(100) if self.maximum is None else self.maximum
            return low, high
        return self.minimum, self.maximum

    @property
    def effective_value_type(self) -> ValueType:
        """The value type, derived from the unit and decimals when not set."""
        if self.value_type is not None:
            return self.value_type
        if self.unit.code == "percent":
            return ValueType.PERCENT
        return ValueType.INTEGER if self.decimals == 0 else ValueType.NUMBER
