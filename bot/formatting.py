"""This module contains the formatting of values, dates and periods for people (Babel/CLDR).

Latvian follows domain.md §5: decimal comma, NBSP grouping, numeric dates ``dd.mm.gggg.``,
month–year as ``2026. gada oktobris`` (the CLDR ``yMMMM`` skeleton has an extra dot), and
percentages without a space (CLDR). English uses ``en_GB`` conventions (``6 Nov 2026``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import (
    format_currency,
    format_percent,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)

from bot.i18n import Translator
from workflows.numbers import format_decimal
from workflows.periods import Period
from workflows.plan.schema import ChoiceOption, Direction, Indicator, OptionStatus, Unit

_DATE_PATTERN = {"lv": "dd.MM.y.", "en": "d MMM y"}
_MONTH_PATTERN = {"lv": "y. 'gada' LLLL", "en": "LLLL y"}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def id_list(ids: Iterable[str], t: Translator, limit: int | None = None) -> str:
    """Plan ids (ASCII, lower case), sorted and comma-separated; past ``limit``, how many more."""
    ordered = sorted(ids)
    shown = ", ".join(ordered[:limit])
    more = 0 if limit is None else len(ordered) - limit
    if more <= 0:
        return shown
    return t.ngettext("{shown} and {n} more", "{shown} and {n} more", more, shown=shown)


def fmt_number(value: Decimal, decimals: int, t: Translator) -> str:
    """``value`` with exactly ``decimals`` places, rounded half up (domain.md §5.1)."""
    return format_decimal(value, decimals, t.lang)


def fmt_value(value: Decimal, unit: Unit, decimals: int, t: Translator) -> str:
    """A value with its unit: ``88,5%``, ``6,20 €`` / ``€6.20``, ``1,2 darba dienas``."""
    if unit.code == "percent":
        return f"{fmt_number(value, decimals, t)}%"
    if unit.code == "EUR":
        quantum = Decimal(1).scaleb(-decimals)
        rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
        return format_currency(
            rounded,
            "EUR",
            locale=t.babel_locale,
            format_type="standard",
            decimal_quantization=False,
        )
    return f"{fmt_number(value, decimals, t)} {unit.get(t.lang)}"


def fmt_option(option: ChoiceOption, t: Translator) -> str:
    """An option's label in ``t``'s language; a yes/no option without one is "Jā"/"Nē"."""
    if option.label is not None:
        return option.label.get(t.lang)
    return t.gettext("Yes") if option.id == "yes" else t.gettext("No")


def fmt_indicator_value(value: Decimal, indicator: Indicator, t: Translator) -> str:
    """``value`` in ``indicator``'s unit and decimals; a check's value is its option's label."""
    if indicator.is_choice:
        option = indicator.option_at(value)
        return fmt_option(option, t) if option is not None else fmt_number(value, 0, t)
    return fmt_value(value, indicator.unit, indicator.decimals, t)


def fmt_target(indicator: Indicator, t: Translator) -> str:
    """The indicator's target: a value in its unit, or a check's target option."""
    if indicator.is_choice:
        option = indicator.option(indicator.target_option or "")
        return fmt_option(option, t) if option is not None else ""
    return fmt_indicator_value(indicator.target, indicator, t)


def fmt_choice_rule(indicator: Indicator, t: Translator) -> str:
    """A check's target and the options of each status: ``mērķis: Jā; kritisks: Nē``."""
    target = indicator.option(indicator.target_option or "")
    parts = [t.gettext("target: {option}", option=fmt_option(target, t) if target else "")]
    for status in (OptionStatus.WARNING, OptionStatus.CRITICAL):
        chosen = ", ".join(fmt_option(o, t) for o in indicator.options if o.status is status)
        if chosen and status is OptionStatus.WARNING:
            parts.append(t.gettext("warning: {options}", options=chosen))
        elif chosen:
            parts.append(t.gettext("critical: {options}", options=chosen))
    return "; ".join(parts)


def fmt_thresholds(indicator: Indicator, t: Translator) -> str:
    """Target and thresholds in one line, e.g. ``mērķa vērtība ≥ 95,0%; brīdinājums < 95,0%``.

    For a check: its target option and which options give a warning or are critical.
    """
    if indicator.is_choice:
        return fmt_choice_rule(indicator, t)
    better, worse = ("≥", "<") if indicator.direction is Direction.HIGHER_IS_BETTER else ("≤", ">")
    return t.gettext(
        "target {better} {target}; warning {worse} {warning}; critical {worse} {critical}",
        better=better,
        worse=worse,
        target=fmt_indicator_value(indicator.target, indicator, t),
        warning=fmt_indicator_value(indicator.warning, indicator, t),
        critical=fmt_indicator_value(indicator.critical, indicator, t),
    )


def fmt_date(day: date, t: Translator) -> str:
    """``06.11.2026.`` (lv) or ``6 Nov 2026`` (en)."""
    return babel_format_date(day, _DATE_PATTERN[t.lang], locale=t.babel_locale)


def fmt_datetime(moment: datetime, tz: ZoneInfo, t: Translator) -> str:
    """A local date and 24-hour time: ``03.11.2026. 09:15`` / ``3 Nov 2026, 09:15``."""
    local = moment.astimezone(tz)
    clock = babel_format_time(local, "HH:mm", locale=t.babel_locale)
    return t.gettext("{date} {time}", date=fmt_date(local.date(), t), time=clock)


def fmt_period(text: str, t: Translator) -> str:
    """A reporting period, e.g. ``2026. gada oktobris`` or ``2026. gada 4. ceturksnis``."""
    period = Period.parse(text)
    kind = period.frequency.value
    if kind == "monthly":
        return babel_format_date(period.start, _MONTH_PATTERN[t.lang], locale=t.babel_locale)
    if kind == "quarterly":
        return t.gettext("Q{quarter} {year}", quarter=period.index, year=period.year)
    if kind == "weekly":
        return t.gettext("week {week} of {year}", week=period.index, year=period.year)
    if kind == "half_yearly":
        return t.gettext("H{half} {year}", half=period.index, year=period.year)
    return t.gettext("year {year}", year=period.year)


def fmt_share(part: int, total: int, t: Translator) -> str:
    """``part`` of ``total`` as a whole percentage (Babel), rounded half up: 5 of 8 → ``63%``.

    Half up as everywhere (domain.md §5.1), not Babel's default half-even; 0 of 0 is ``0%``.
    """
    share = Decimal(part) * 100 / Decimal(total) if total else Decimal(0)
    whole = share.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return format_percent(whole / 100, locale=t.babel_locale)


def fmt_change(delta: Decimal, indicator: Indicator, t: Translator) -> str:
    """A signed change in the indicator's unit: ``+0,4 darba dienas``, ``−1,5 p.p.``.

    The sign is the locale's plus or minus sign (Babel). A change of a percentage is in
    percentage points, so it is not mistaken for a relative change.
    """
    quantum = Decimal(1).scaleb(-indicator.decimals)
    rounded = delta.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded > 0:
        sign = get_plus_sign_symbol(t.babel_locale)
    elif rounded < 0:
        sign = get_minus_sign_symbol(t.babel_locale)
    else:
        sign = "±"
    size = abs(rounded)
    if indicator.unit.code == "percent":
        shown = t.gettext("{number} pp", number=fmt_number(size, indicator.decimals, t))
    else:
        shown = fmt_value(size, indicator.unit, indicator.decimals, t)
    return f"{sign}{shown}"


def fmt_period_tick(text: str, t: Translator, *, with_year: bool) -> str:
    """A short period label for a chart axis: ``okt.`` / ``Oct``, ``C4`` / ``Q4``, ``W48``.

    ``with_year`` adds the year on a second line (first tick, and where a year begins).
    """
    period = Period.parse(text)
    kind = period.frequency.value
    if kind == "monthly":
        label = babel_format_date(period.start, "LLL", locale=t.babel_locale)
    elif kind == "quarterly":
        label = t.gettext("Q{quarter}", quarter=period.index)
    elif kind == "weekly":
        label = t.gettext("W{week}", week=period.index)
    elif kind == "half_yearly":
        label = t.gettext("H{half}", half=period.index)
    else:
        return str(period.year)
    return f"{label}\n{period.year}" if with_year else label
