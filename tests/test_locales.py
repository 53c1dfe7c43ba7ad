"""The catalogues: every marked string is translated in lv and en, with the same placeholders."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[1]
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None}
LV_PLURAL_ORDER = ("zero", "one", "other")
"""Babel's order of the Latvian plural forms in the catalogue (domain.md §5.3)."""


def _extracted() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in ("bot", "workflows"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _catalog(lang: str) -> Catalog:
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, str]]:
    return _extracted()


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_every_message_is_translated(lang: str, extracted: set[str | tuple[str, str]]) -> None:
    catalog = _catalog(lang)
    missing = []
    for msgid in extracted:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key)
        if message is None or message.fuzzy:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(msgid)
    assert not missing, f"{lang}: untranslated or fuzzy: {missing}"


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_placeholders_match_between_languages(lang: str) -> None:
    wrong = []
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(_fields(i) for i in ids))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            # a plural form may leave out {n} only when its msgid singular does
            if _fields(text) | ({"n"} & expected) != expected:
                wrong.append((message.id, text))
    assert not wrong, wrong


def test_latvian_has_three_cldr_plural_forms() -> None:
    catalog = _catalog("lv")
    assert catalog.num_plurals == 3
    cldr = Locale.parse("lv")
    plural = gettext.c2py(catalog.plural_expr)
    for n in range(0, 1201):
        index = plural(n)
        assert LV_PLURAL_ORDER[index] == cldr.plural_form(n), n
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == 3, message.id


def test_plural_examples_read_correctly() -> None:
    from bot.i18n import translator

    t = translator("lv")
    forms = {
        n: t.ngettext("{n} measurement was saved:", "{n} measurements were saved:", n)
        for n in (0, 1, 2, 10, 11, 21, 22)
    }
    assert forms[1] == "Saglabāts 1 mērījums:"
    assert forms[21] == "Saglabāts 21 mērījums:"
    assert forms[2] == "Saglabāti 2 mērījumi:"
    assert forms[22] == "Saglabāti 22 mērījumi:"
    assert forms[11] == "Saglabāts 11 mērījumu:"
    assert forms[10] == "Saglabāts 10 mērījumu:"
    en = translator("en")
    assert en.ngettext("{n} measurement was saved:", "{n} measurements were saved:", 1) == (
        "1 measurement was saved:"
    )
