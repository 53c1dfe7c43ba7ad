"""This module contains :func:`compose`: a :class:`~bot.messages.Message` as an e-mail.

The e-mail is ``multipart/alternative``: a plain-text part and an HTML part, both from the
same rendering the chat platforms get (so the wording, the person's language and the numbers
are theirs), laid out by Jinja2 templates; the HTML template escapes everything it is given
(autoescape), so a name or comment such as ``<script>`` or ``A & B`` shows as typed (field
case C02). A chart travels inside the HTML part as a ``multipart/related`` PNG referred to by
``cid:``. Buttons cannot work in an e-mail: their labels are listed, with the links that
open the chat (or enrol the person in it) to answer there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.i18n import Translator
from bot.messages import Message

SUBJECT_CHARACTERS = 150
"""The longest subject; longer titles are cut with an ellipsis."""

_HTML = Environment(
    loader=PackageLoader("bot.email", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEXT = Environment(
    loader=PackageLoader("bot.email", "templates"),
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class ChatLink:
    """A link in the e-mail that opens the chat: ``text`` says what it does."""

    text: str
    url: str


def subject_of(message: Message) -> str:
    """The subject: the title, else the first line of text, on one line."""
    source = message.title or next((s for s in message.text.splitlines() if s.strip()), "")
    subject = re.sub(r"\s+", " ", source).strip()
    if len(subject) > SUBJECT_CHARACTERS:
        subject = subject[: SUBJECT_CHARACTERS - 1].rstrip() + "…"
    return subject


def compose(
    message: Message,
    t: Translator,
    *,
    sender: str,
    to: Sequence[str],
    links: Sequence[ChatLink] = (),
) -> EmailMessage:
    """``message`` as a multipart e-mail from ``sender`` to ``to``, its extras in ``t``'s language.

    Returns:
        The e-mail, with a fresh ``Message-ID`` (the outbox records it as the message's id).
    """
    subject = subject_of(message) or t.gettext("Message from the control robot")
    choices = ""
    if message.choices:
        labels = ", ".join(f"“{c.label}”" for c in message.choices)
        choices = t.gettext("In the chat this message has the buttons {labels}.", labels=labels)
    footer = t.gettext(
        "The control robot sent this message automatically. Replies to this e-mail are not "
        "read: answer in the chat."
    )
    cid = make_msgid("chart")[1:-1] if message.image is not None else ""
    values = {
        "lang": t.lang,
        "subject": subject,
        "title": message.title or "",
        "text": message.text,
        "paragraphs": _paragraphs(message.text),
        "choices": choices,
        "links": list(links),
        "footer": footer,
        "image_cid": cid,
        "chart_alt": t.gettext("Chart of the indicators"),
    }
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=_domain(sender))
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    mail.set_content(_TEXT.get_template("message.txt").render(values))
    mail.add_alternative(_HTML.get_template("message.html").render(values), subtype="html")
    mail["Content-Language"] = t.lang  # after the parts: content headers move into them
    if message.image is not None:
        html = next(part for part in mail.iter_parts() if part.get_content_type() == "text/html")
        assert isinstance(html, EmailMessage)
        html.add_related(message.image, "image", "png", cid=f"<{cid}>", filename="chart.png")
    return mail


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs of ``text``, each a list of its lines."""
    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    return [block.splitlines() for block in blocks if block.strip()]


def _domain(sender: str) -> str:
    """The domain of the sender's address (for ``Message-ID``s)."""
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"
