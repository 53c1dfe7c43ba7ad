"""This module contains translations: catalogue loading, locale choice and :class:`Translator`.

Catalogues are the ``.po`` files in the ``locales`` package, compiled in memory at first use
(no ``.mo`` files are committed). The locale is chosen per person and per message, never per
process; the rule that chooses it is :func:`workflows.people.accounts.resolve_locale` (re-exported
here with :func:`~workflows.people.accounts.as_lang`).

Marking strings: ``t.gettext("…")``, ``t.ngettext("…", "…", n)`` and ``N_("…")`` for module
constants. Placeholders are named ``{name}`` fields for :meth:`str.format`; plural messages
always receive ``n``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from io import BytesIO
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from workflows.language import Lang
from workflows.people.accounts import as_lang, resolve_locale

__all__ = [
    "BABEL_LOCALE",
    "N_",
    "SUPPORTED",
    "Lang",
    "Translator",
    "as_lang",
    "resolve_locale",
    "translator",
]

SUPPORTED: Final[tuple[Lang, ...]] = ("lv", "en")
BABEL_LOCALE: Final[dict[Lang, str]] = {"lv": "lv_LV", "en": "en_GB"}
"""The CLDR locale used for numbers and dates of each language."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


@cache
def _catalogue(lang: Lang) -> Translations:
    source = resources.files("locales").joinpath(lang, "LC_MESSAGES", "messages.po")
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class Translator:
    """Translations for one language.

    Args:
        lang: ``"lv"`` or ``"en"``.
    """

    __slots__ = ("_translations", "lang")

    def __init__(self, lang: Lang) -> None:
        self.lang: Lang = lang
        self._translations = _catalogue(lang)

    @property
    def babel_locale(self) -> str:
        """The CLDR locale for numbers and dates (``lv_LV`` or ``en_GB``)."""
        return BABEL_LOCALE[self.lang]

    def gettext(self, message: str, /, **params: object) -> str:
        """Translate ``message`` and fill its ``{name}`` placeholders from ``params``."""
        text = self._translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        """Translate a count-dependent message (CLDR plural rules; ``n`` is a placeholder).

        Latvian has three forms (0/11–19/…0 → "zero", 1/21/… → "one", others), taken from
        the catalogue's ``Plural-Forms`` header, which follows CLDR (domain.md §5.3).
        """
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **params)


@cache
def translator(lang: Lang) -> Translator:
    """Return the shared :class:`Translator` for ``lang``."""
    return Translator(lang)
