"""Issue 13 item 10: the Latvian catalogue reads right to a Latvian official.

Conventions checked over every Latvian message: polite "Jūs / Jums / Jūsu" capitalised
(direct address to one person, as in official correspondence; domain.md §5.5); "robots",
never "bots"; no sentence agrees with one person's gender; counts only inside plural
messages; the wordings a careful reader flagged do not come back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LV = Path(__file__).resolve().parent.parent / "locales" / "lv" / "LC_MESSAGES" / "messages.po"


def _strings() -> list[tuple[str, str]]:
    with LV.open("rb") as f:
        catalog = read_po(f, locale="lv")
    out = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        out.extend((msgid, s) for s in strings)
    return out


STRINGS = _strings()


def test_polite_address_is_capitalised_everywhere() -> None:
    lower = re.compile(r"\b(jūs|jums|jūsu)\b")
    assert [s for _i, s in STRINGS if lower.search(s)] == []


def test_the_bot_is_always_robots() -> None:
    bots = re.compile(r"\b(bots|bota|botam|botu|botā)\b", re.IGNORECASE)
    assert [s for _i, s in STRINGS if bots.search(s)] == []


@pytest.mark.parametrize(
    "flagged",
    [
        "nav iesnieguši",  # agreed with several people when one is named
        "nav sasniedzams",  # agreed with a man when the person may be a woman
        "pieņemiet to pats",
        "Pareizi:",  # "Usage" is "Lietošana"
        "Lietojums",  # "Usage" in software is "Lietošana"
        "pēc lēmuma Nr. {decision} pilnveides pasākuma “{indicator}”",  # named after it
        "Robots nevar publicēt #",
        "dzēsts {person} vārds",
        "iesniegti {answered} no {total}",  # a count outside a plural message
        "{shown} no {total} rādītājiem",
        "{digits} cipari",
        "nav iesniegti {missing}",
    ],
)
def test_flagged_wordings_are_gone(flagged: str) -> None:
    assert [s for _i, s in STRINGS if flagged in s] == []


def test_no_count_placeholder_is_followed_by_an_inflected_noun_outside_plurals() -> None:
    with LV.open("rb") as f:
        catalog = read_po(f, locale="lv")
    # "{n} no {total}" is fine: "no" (of) is a preposition, nothing agrees with the count
    nouns = re.compile(
        r"\{(n|count|digits|total|shown|answered|missing)\} (?!no\b)[a-zāčēģīķļņšūž]+"
    )
    singular = [
        m.string
        for m in catalog
        if m.id and not isinstance(m.id, tuple) and nouns.search(str(m.string))
    ]
    assert singular == []


@pytest.mark.parametrize(
    ("n", "counted"),
    [(1, "nav iesniegts 1 mērījums"), (2, "nav iesniegti 2 mērījumi"), (11, "nav iesniegts 11")],
)
def test_one_overdue_person_is_named_without_gender(n: int, counted: str) -> None:
    from bot.i18n import translator

    text = translator("lv").ngettext(
        "{n} measurement is overdue since {due}; not yet submitted by {people}:",
        "{n} measurements are overdue since {due}; not yet submitted by {people}:",
        n,
        due="06.11.2026.",
        people="Pēteris Liepa",
    )
    assert counted in text
    assert text.endswith("Atbilde vēl nav saņemta no: Pēteris Liepa:")


def test_the_lang_usage_line_says_lietosana_not_lietojums() -> None:
    from bot.i18n import translator

    lv = translator("lv")
    assert lv.gettext("Usage: {usage}", usage="/lang lv|en|auto") == "Lietošana: /lang lv|en|auto"
    assert lv.gettext("Usage: /as <person-id>. People: {known}.", known="anna-ozola") == (
        "Lietošana: /as <personas-id>. Personas: anna-ozola."
    )
    usages = [s for i, s in STRINGS if i.startswith("Usage")]
    assert usages and all(s.startswith("Lietošana: ") for s in usages)
