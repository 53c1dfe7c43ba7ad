"""This module contains the evaluation of a measured value against its target and thresholds.

Rules (PU3-3 step 4, "analizē"; thresholds as in the plan schema):

* ``higher_is_better``: critical if value < critical; warning if value < warning; else ok.
  Target met if value >= target.
* ``lower_is_better``: critical if value > critical; warning if value > warning; else ok.
  Target met if value <= target.

A value can be ``ok`` yet miss its target when the warning threshold is looser than the
target (a tolerance band).

A yes/no or choice indicator (a check) has no thresholds: the chosen option (the value is its
1-based number) gives the status, and the target is met when it is the target option.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from workflows.plan.schema import Direction, Indicator


class Status(StrEnum):
    """Indicator status (normā / brīdinājums / kritisks)."""

    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Thresholds:
    """The target and thresholds in force when a value was measured.

    Attributes:
        options: For a check: each option's id and status, in plan order (else empty).
        target_option: For a check: the option that meets the target.
    """

    direction: Direction
    target: Decimal
    warning: Decimal
    critical: Decimal
    options: tuple[tuple[str, Status], ...] = ()
    target_option: str | None = None

    @classmethod
    def of(cls, indicator: Indicator) -> Thresholds:
        """The thresholds an indicator sets now (its options, for a check)."""
        options = tuple((o.id, Status(o.status.value)) for o in indicator.options)
        return cls(
            indicator.direction,
            indicator.target,
            indicator.warning,
            indicator.critical,
            options,
            indicator.target_option,
        )


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`.

    Attributes:
        status: ok, warning or critical.
        target_met: Whether the target is reached.
        deviation: ``value - target`` (same unit as the value).
    """

    status: Status
    target_met: bool
    deviation: Decimal

    @property
    def off_target(self) -> bool:
        """Whether the value needs a comment: not ok, or the target is missed."""
        return self.status is not Status.OK or not self.target_met


def evaluate(value: Decimal, thresholds: Thresholds) -> Evaluation:
    """Evaluate ``value`` against ``thresholds``.

    Args:
        value: The measured value, in the indicator's unit.
        thresholds: Target, warning and critical thresholds with their direction.

    Returns:
        The status, whether the target is met and the deviation from it.
    """
    t = thresholds
    if t.options:
        return _evaluate_choice(value, t)
    if t.direction is Direction.HIGHER_IS_BETTER:
        if value < t.critical:
            status = Status.CRITICAL
        elif value < t.warning:
            status = Status.WARNING
        else:
            status = Status.OK
        met = value >= t.target
    else:
        if value > t.critical:
            status = Status.CRITICAL
        elif value > t.warning:
            status = Status.WARNING
        else:
            status = Status.OK
        met = value <= t.target
    return Evaluation(status=status, target_met=met, deviation=value - t.target)


def _evaluate_choice(value: Decimal, thresholds: Thresholds) -> Evaluation:
    """A check: the status of the option numbered ``value``; target met if it is the target.

    Raises:
        ValueError: If ``value`` numbers no option (parsers only give option numbers).
    """
    number = int(value) if value == value.to_integral_value() else 0
    if not 1 <= number <= len(thresholds.options):
        raise ValueError(f"{value} is not an option number")
    option_id, status = thresholds.options[number - 1]
    met = option_id == thresholds.target_option
    return Evaluation(status=status, target_met=met, deviation=Decimal(0))


def stored_value(indicator: Indicator | None, value: Decimal, choice: str | None) -> Decimal:
    """A stored value as the plan numbers it now.

    A check's value is its option's number; the stored option id finds the option even when
    the plan's options were reordered since. Any other value is itself.
    """
    if indicator is None or choice is None:
        return value
    number = indicator.option_number(choice)
    return Decimal(number) if number is not None else value
