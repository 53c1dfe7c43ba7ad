"""Evaluation of a value against target, warning and critical thresholds (PU3-3 step 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows.plan.model import LoadedPlan
from workflows.plan.schema import Direction
from workflows.rounds.evaluation import Evaluation, Status, Thresholds, evaluate

D = Decimal

# dd-within-sla style, but with a tolerance band: target 95, warning 92, critical 90
HIGHER = Thresholds(Direction.HIGHER_IS_BETTER, target=D(95), warning=D(92), critical=D(90))
# dd-avg-processing: target 1.0, warning 1.5, critical 3.0 working days
LOWER = Thresholds(Direction.LOWER_IS_BETTER, target=D("1.0"), warning=D("1.5"), critical=D(3))


@pytest.mark.parametrize(
    ("value", "status", "met"),
    [
        ("100", Status.OK, True),
        ("95", Status.OK, True),  # exactly the target: met
        ("94.99", Status.OK, False),  # in the tolerance band
        ("92", Status.OK, False),  # exactly the warning threshold is not yet a warning
        ("91.99", Status.WARNING, False),
        ("90", Status.WARNING, False),  # exactly the critical threshold is not yet critical
        ("89.99", Status.CRITICAL, False),
        ("0", Status.CRITICAL, False),
    ],
)
def test_higher_is_better_boundaries(value: str, status: Status, met: bool) -> None:
    result = evaluate(D(value), HIGHER)
    assert result.status is status
    assert result.target_met is met
    assert result.deviation == D(value) - D(95)


@pytest.mark.parametrize(
    ("value", "status", "met"),
    [
        ("0", Status.OK, True),
        ("1.0", Status.OK, True),  # exactly the target
        ("1.01", Status.OK, False),  # tolerance band
        ("1.5", Status.OK, False),  # exactly the warning threshold
        ("1.51", Status.WARNING, False),
        ("3", Status.WARNING, False),  # exactly the critical threshold
        ("3.01", Status.CRITICAL, False),
    ],
)
def test_lower_is_better_boundaries(value: str, status: Status, met: bool) -> None:
    result = evaluate(D(value), LOWER)
    assert result.status is status
    assert result.target_met is met


def test_deviation_is_exact_and_signed() -> None:
    assert evaluate(D("0.9"), LOWER).deviation == D("-0.1")
    assert evaluate(D("1.3"), LOWER).deviation == D("0.3")
    assert evaluate(D("88.5"), HIGHER).deviation == D("-6.5")


def test_tolerance_band_is_ok_but_off_target() -> None:
    result = evaluate(D("93.5"), HIGHER)
    assert result == Evaluation(Status.OK, target_met=False, deviation=D("-1.5"))
    assert result.off_target


@pytest.mark.parametrize(
    ("status", "met", "off"),
    [
        (Status.OK, True, False),
        (Status.OK, False, True),
        (Status.WARNING, False, True),
        (Status.CRITICAL, False, True),
        # not reachable with ordered thresholds, but off_target must not rely on that
        (Status.WARNING, True, True),
    ],
)
def test_off_target_means_not_ok_or_target_missed(status: Status, met: bool, off: bool) -> None:
    assert Evaluation(status, met, D(0)).off_target is off


def test_warning_equal_to_target_has_no_tolerance_band() -> None:
    # the bundled dd-within-sla: target 95, warning 95, critical 90
    strict = Thresholds(Direction.HIGHER_IS_BETTER, D(95), D(95), D(90))
    assert evaluate(D(95), strict) == Evaluation(Status.OK, True, D(0))
    assert evaluate(D("94.9"), strict).status is Status.WARNING


def test_all_thresholds_equal() -> None:
    flat = Thresholds(Direction.LOWER_IS_BETTER, D(4), D(4), D(4))
    assert evaluate(D(4), flat) == Evaluation(Status.OK, True, D(0))
    assert evaluate(D("4.01"), flat).status is Status.CRITICAL


def test_thresholds_of_a_plan_indicator(plan: LoadedPlan) -> None:
    _activity, indicator = plan.indicator("dd-avg-processing")
    thresholds = Thresholds.of(indicator)
    assert thresholds == Thresholds(Direction.LOWER_IS_BETTER, D("1.0"), D("1.5"), D("3.0"))
    assert evaluate(D("0.9"), thresholds) == Evaluation(Status.OK, True, D("-0.1"))
    assert evaluate(D("1.6"), thresholds).status is Status.WARNING
    _activity, sla = plan.indicator("dd-within-sla")
    assert evaluate(D("88.5"), Thresholds.of(sla)).status is Status.CRITICAL
