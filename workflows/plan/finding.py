"""This module contains finding an indicator the way people name it in chat.

Chat never shows indicator ids (``dd-within-sla``), so ``/indicators`` lists a person's
indicators with numbers, and ``/history`` takes that number, the id, the label (Latvian or
English) or the label's unambiguous beginning — case, diacritics and quotes aside.
"""

from __future__ import annotations

import unicodedata

from workflows.context import Context
from workflows.notices import IndicatorList, Outgoing, ToPerson

QUOTES = "\"'“”„«»‘’`"


def _fold(text: str) -> str:
    """Lower case without diacritics, quotes or repeated spaces (``Īpatsvars`` → ``ipatsvars``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c) and c not in QUOTES)
    return " ".join(plain.split())


def visible(ctx: Context, person_id: str) -> tuple[str, ...]:
    """The indicators a person works with, in plan order (all of them for administrators).

    A person's indicators are those of the activities where they hold a role (A or L at any
    scale), measure or approve; someone with none sees every indicator.
    """
    plan = ctx.plan
    every = plan.all_indicators()
    if plan.is_admin(person_id):
        return tuple(i.id for _a, i in every)
    mine = tuple(
        i.id
        for a, i in every
        if person_id in plan.people_of(a)
        or person_id in plan.measurers(a, i)
        or plan.approver(a, i) == person_id
    )
    return mine or tuple(i.id for _a, i in every)


def resolve(ctx: Context, person_id: str, query: str) -> tuple[str, ...]:
    """The indicator ids ``query`` may mean: exactly one when it is clear.

    Args:
        ctx: The plan.
        person_id: Whose ``/indicators`` numbering counts.
        query: A number of the person's list, an id, a label in either language or the
            beginning of one.

    Returns:
        One id for an unambiguous query; several when a beginning fits more than one label
        (the person's own indicators first); none when nothing fits.
    """
    mine = visible(ctx, person_id)
    text = query.strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        return (mine[number - 1],) if 1 <= number <= len(mine) else ()
    if ctx.plan.has_indicator(text):
        return (text,)
    wanted = _fold(text)
    if not wanted:
        return ()
    order = list(mine) + [i.id for _a, i in ctx.plan.all_indicators() if i.id not in mine]
    labels = {
        indicator.id: {_fold(indicator.label.lv), _fold(indicator.label.en), _fold(indicator.id)}
        for _a, indicator in ctx.plan.all_indicators()
    }
    exact = tuple(i for i in order if wanted in labels[i])
    if exact:
        return exact
    return tuple(i for i in order if any(label.startswith(wanted) for label in labels[i]))


def listing(ctx: Context, person_id: str, query: str = "") -> list[Outgoing]:
    """``/indicators``: the person's indicators, numbered, each with a history button.

    With ``query`` (a ``/history`` that matched several or none), the candidates, or the
    person's whole list when nothing matched, and the query it answers.
    """
    candidates = resolve(ctx, person_id, query) if query else ()
    ids = candidates or visible(ctx, person_id)
    numbers = visible(ctx, person_id)
    numbered = tuple((numbers.index(i) + 1 if i in numbers else 0, i) for i in ids)
    notice = IndicatorList(numbered, query=query, matched=bool(candidates))
    return [Outgoing(ToPerson(person_id), notice)]
