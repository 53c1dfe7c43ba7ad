"""This module contains the rendering of the web view's one-time sign-in link (``/web``)."""

from __future__ import annotations

from bot.formatting import fmt_datetime
from bot.messages import Message
from bot.render.context import RenderContext
from workflows.notices import WebLink


def render_web_link(notice: WebLink, rc: RenderContext) -> Message:
    """The link, how long it works, and that it is for the recipient only."""
    t = rc.t
    lines = [
        notice.url,
        t.gettext(
            "The link signs you in once and works until {time}. Do not pass it on: it is yours.",
            time=fmt_datetime(notice.expires_at, rc.tz, t),
        ),
    ]
    return Message("\n".join(lines), title=t.gettext("Web view"))
