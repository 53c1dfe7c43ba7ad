"""This module contains :data:`Lang`, the one type of an interface language.

The robot speaks Latvian and English: every catalogue in ``locales/`` is one of these, and a
person, a channel or a message is in one of them. The domain formats and parses numbers in
them (:mod:`workflows.numbers`), forms are answered in them, and ``bot.i18n`` translates into
them; all name this type.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

Lang: TypeAlias = Literal["lv", "en"]
"""``"lv"`` (Latvian, the default) or ``"en"`` (English)."""
