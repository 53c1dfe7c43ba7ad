"""This module contains the plan's closed vocabularies: scales, levels, stages, frequencies.

The words are those of the PU3-3 methodology (domain.md §1); the values are what a plan
writes.
"""

from __future__ import annotations

from enum import StrEnum


class Scale(StrEnum):
    """Scales (mērogi), from the widest to the narrowest (domain.md §1.5)."""

    VALSTS = "valsts"
    NOZARES = "nozares"
    PASVALDIBAS = "pasvaldibas"
    IESTADES = "iestades"
    PAKALPOJUMA = "pakalpojuma"
    RESURSA = "resursa"


SCALE_ORDER: tuple[Scale, ...] = (
    Scale.VALSTS,
    Scale.NOZARES,
    Scale.PASVALDIBAS,
    Scale.IESTADES,
    Scale.PAKALPOJUMA,
    Scale.RESURSA,
)
"""Wider first. Service and resource scales are siblings: both sit below the institution."""


def scale_above(scale: Scale) -> Scale | None:
    """Return the next wider scale, or ``None`` above the national scale.

    Service and resource scales both report to the institution scale (domain.md §2.3).
    """
    if scale in (Scale.PAKALPOJUMA, Scale.RESURSA):
        return Scale.IESTADES
    index = SCALE_ORDER.index(scale)
    return SCALE_ORDER[index - 1] if index > 0 else None


class Level(StrEnum):
    """Management levels (pārvaldības līmeņi, domain.md §1.4)."""

    POLITIKAS = "politikas"
    PAMATDARBIBAS = "pamatdarbibas"
    NODROSINAJUMA = "nodrosinajuma"


class LifecycleStage(StrEnum):
    """Lifecycle stages (domain.md §1.7)."""

    PLANOSANA = "planosana"
    IZVEIDE = "izveide"
    IEVIESANA = "ieviesana"
    SNIEGSANA = "sniegsana"
    UZTURESANA = "uzturesana"
    LIKVIDESANA = "likvidesana"
    SAGATAVOSANAS = "sagatavosanas"
    ISTENOSANA = "istenosana"


class ControlType(StrEnum):
    """The three kinds of control of PU3-3 step 2."""

    PROCESS = "process"
    RESULT = "result"
    EFFICIENCY = "efficiency"


class IndicatorKind(StrEnum):
    """KPI, service level term (SLA) or process indicator (domain.md §1.8)."""

    KPI = "kpi"
    SLA = "sla"
    PROCESS = "process"


class Direction(StrEnum):
    """Whether a larger value is better or worse."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Frequency(StrEnum):
    """Measurement frequency (mērīšanas biežums)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"


class ControlDepth(StrEnum):
    """How detailed control is; each depth caps the indicator count (PU3-3, over-control)."""

    LIGHT = "light"
    STANDARD = "standard"
    DEEP = "deep"


MAX_INDICATORS: dict[ControlDepth, int] = {
    ControlDepth.LIGHT: 3,
    ControlDepth.STANDARD: 5,
    ControlDepth.DEEP: 8,
}


class Mark(StrEnum):
    """Responsibility marks: A (responsible) and L (co-responsible), domain.md §1.3."""

    A = "A"
    L = "L"


def wider(scale: Scale, than: Scale) -> bool:
    """Whether ``scale`` lies above ``than`` (institution is wider than service or resource).

    Service and resource scales are siblings, neither wider than the other (domain.md §1.5).
    """
    if {scale, than} == {Scale.PAKALPOJUMA, Scale.RESURSA}:
        return False
    return SCALE_ORDER.index(scale) < SCALE_ORDER.index(than)
