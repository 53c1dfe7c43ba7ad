"""This module contains what a platform's own UI asks the dispatcher (App Home, modal)."""

from __future__ import annotations

from sqlmodel import Session

from bot.dispatch.base import DispatcherParts
from bot.events import FormSubmitted, Sender
from bot.i18n import Lang
from bot.messages import Message
from workflows.forms import conversation
from workflows.notices import Outgoing, ToPerson, problem
from workflows.people import accounts
from workflows.rounds import home
from workflows.rounds.pending import pending_for


class PlatformViews:
    """The home page and whole-form half of :class:`~bot.dispatch.Dispatcher` (a mixin)."""

    async def home(self: DispatcherParts, sender: Sender) -> Message | None:
        """The sender's home page (Slack's App Home), or ``None`` if they are not enrolled."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        view = await self.db.run(lambda s: home.home_for(s, self.ctx, person_id))
        return await self.outbox.render_for(Outgoing(ToPerson(person_id), view))

    async def begin_form(
        self: DispatcherParts, sender: Sender, round_id: int
    ) -> tuple[conversation.MeasurementPreview, Lang] | str:
        """What a platform's own form UI (Slack's modal) asks for ``round_id``; stores nothing.

        Returns:
            The preview and the person's language; or, when there is nothing to fill in
            (not enrolled, round closed, another form in progress…), the text to show.
        """
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return self._for_stranger(sender, problem("not_enrolled")).plain()

        def work(
            session: Session,
        ) -> tuple[conversation.MeasurementPreview | list[Outgoing], Lang]:
            found = conversation.preview_measurement(session, self.ctx, person_id, round_id)
            return found, accounts.language(session, self.ctx, person_id, self.default_lang)

        found, lang = await self.db.run(work)
        if isinstance(found, conversation.MeasurementPreview):
            return found, lang
        texts = [(await self.outbox.render_for(i)).plain() for i in found]
        return "\n\n".join(texts)

    async def first_round_to_measure(self: DispatcherParts, sender: Sender) -> int | None:
        """The open round where the sender has the earliest due measurements, if any."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        listing = await self.db.run(lambda s: pending_for(s, self.ctx, person_id))
        return listing.rounds[0].round_id if listing.rounds else None

    async def submit_form(
        self: DispatcherParts,
        sender: Sender,
        round_id: int,
        answers: dict[str, str],
        lang: Lang,
        *,
        key: str | None = None,
    ) -> list[Outgoing]:
        """Store a whole form typed in a platform's own UI, then send what follows.

        Args:
            sender: Who submitted.
            round_id: The round measured.
            answers: Typed answers by field id.
            lang: The language they were typed in (the UI's, even if changed meanwhile).
            key: The platform's id of the submission (a repeat has no second effect).

        Returns:
            The notices that were sent (what was stored, decisions it opened, or problems).
        """
        return await self.handle(FormSubmitted(sender, round_id, answers, lang), key=key)
