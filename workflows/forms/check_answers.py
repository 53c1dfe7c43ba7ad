"""This module contains the answers a check (a yes/no or choice indicator) takes in a form.

A check is asked as a choice field whose options are the plan's: each stored as its number
(``"1"`` …, the value a check keeps), shown with the plan's label in the reader's language
(the renderer looks it up), and chosen by its number, id, Latvian or English label, or for
a yes/no also by "jā"/"yes", "nē"/"no" and their short forms.
"""

from __future__ import annotations

from workflows.forms.fields import FieldKind, FieldSpec, Option
from workflows.forms.parsing import NO_WORDS, YES_WORDS
from workflows.plan.schema import Indicator, ValueType


def choice_options(indicator: Indicator) -> tuple[Option, ...]:
    """A check's options as form options: the value is the option's number (``"1"`` …).

    Each option is chosen by its number, id, or Latvian or English label; the options of a
    yes/no indicator also by "jā"/"yes", "nē"/"no" (the renderer shows the labels).
    """
    words = {"yes": tuple(sorted(YES_WORDS)), "no": tuple(sorted(NO_WORDS))}
    out: list[Option] = []
    for number, option in enumerate(indicator.options, 1):
        labels = (option.label.lv, option.label.en) if option.label is not None else ()
        extra = words.get(option.id, ()) if indicator.value_type is ValueType.YES_NO else ()
        aliases = (option.id, *labels, *extra)
        out.append(Option(str(number), option.id, translate=False, aliases=aliases))
    return tuple(out)


def check_field(indicator: Indicator, *, not_measured: bool = True) -> FieldSpec:
    """The question for a check's value: a choice of its options (or "not measured")."""
    return FieldSpec(
        id=indicator.id,
        kind=FieldKind.CHOICE,
        indicator_id=indicator.id,
        options=choice_options(indicator),
        required=not indicator.allow_skip,
        not_measured=not_measured,
    )
