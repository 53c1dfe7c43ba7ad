"""This module contains the wording of one indicator in a summary: status, change and marks.

A summary reader sees at a glance how an indicator stands (a status word with a mark that
differs in shape, not only colour), how it moved against the previous period (an arrow, the
signed change in the indicator's unit, and whether that is better or worse given the
indicator's direction; for a yes/no or choice indicator, how its status changed) and
whether its value can be trusted as it is (late, unconfirmed, corrected, not measured).
"""

from __future__ import annotations

from decimal import Decimal

from bot.formatting import fmt_change
from bot.i18n import Translator
from workflows.notices import SummaryLine
from workflows.plan.schema import Direction, Indicator, OptionStatus

ARROW_UP, ARROW_DOWN, ARROW_FLAT = "↑", "↓", "→"


def change_text(current: Decimal, previous: Decimal, indicator: Indicator, t: Translator) -> str:
    """``↓ −0,4 darba dienas, uzlabojums`` / ``↑ +1.5 pp, better`` / ``→ ±0.0, no change``.

    Args:
        current: This period's value.
        previous: The previous period's value.
        indicator: Gives unit, decimals and direction (up is better for
            ``higher_is_better``, down for ``lower_is_better``).
        t: The reader's language.

    Returns:
        Arrow, signed change (Babel-formatted, rounded to the indicator's decimals) and a word;
        for a check, the change of status instead (:func:`status_change_text`).
    """
    if indicator.is_choice:
        return status_change_text(current, previous, indicator, t)
    quantum = Decimal(1).scaleb(-indicator.decimals)
    delta = (current - previous).quantize(quantum)
    if delta == 0:
        return f"{ARROW_FLAT} {fmt_change(delta, indicator, t)}, " + t.gettext("no change")
    arrow = ARROW_UP if delta > 0 else ARROW_DOWN
    better = (delta > 0) == (indicator.direction is Direction.HIGHER_IS_BETTER)
    word = t.gettext("better") if better else t.gettext("worse")
    return f"{arrow} {fmt_change(delta, indicator, t)}, {word}"


_RANK = {OptionStatus.OK: 0, OptionStatus.WARNING: 1, OptionStatus.CRITICAL: 2}


def status_change_text(
    current: Decimal, previous: Decimal, indicator: Indicator, t: Translator
) -> str:
    """A check's change against the previous period: ``normā → kritisks, pasliktinājums``.

    Options have no distance between them, so the change is the status's: its two ends and
    whether it got better or worse; ``→`` and "no change" when the status stayed.
    """
    before, now = indicator.option_at(previous), indicator.option_at(current)
    if before is None or now is None or before.status is now.status:
        return f"{ARROW_FLAT} " + t.gettext("no change")
    words = {
        OptionStatus.OK: t.gettext("OK"),
        OptionStatus.WARNING: t.gettext("warning"),
        OptionStatus.CRITICAL: t.gettext("critical"),
    }
    better = _RANK[now.status] < _RANK[before.status]
    word = t.gettext("better") if better else t.gettext("worse")
    return f"{words[before.status]} → {words[now.status]}, {word}"


def data_marks(line: SummaryLine, t: Translator) -> list[str]:
    """What to know about a value besides its status: late, unconfirmed, corrected."""
    marks = []
    if line.late:
        marks.append("⏰ " + t.gettext("submitted late"))
    if line.unconfirmed:
        marks.append("❔ " + t.gettext("not confirmed yet"))
    if line.corrected:
        marks.append("✎ " + t.gettext("corrected"))
    return marks
