"""This module contains :class:`EmailChannel`: notices by e-mail, the notify-only platform.

E-mail carries what the robot tells (reminders, escalations, decision requests, receipts,
summaries with their chart) to a person the plan gives an ``email`` when they prefer e-mail
or no chat account reaches them, and to the addresses a team channel lists in the plan. It
takes no answers: every e-mail to a person says where to answer in the chat (see
:mod:`bot.email.doors`). Delivery goes through the outbox like every platform's, so its
retries, states and reports hold; an e-mail counts as delivered once the SMTP server
accepted it (bounces that come later are not read).
"""

from __future__ import annotations

from bot.channel import Address
from bot.email.compose import compose
from bot.email.doors import ChatDoors
from bot.email.smtp import SmtpConfig, submit
from bot.i18n import as_lang, resolve_locale, translator
from bot.messages import Message
from storage.db import Database
from workflows.context import Context
from workflows.plan.model import UnknownPlanItem

PLATFORM = "email"


class EmailChannel:
    """The outbound e-mail channel: a :class:`~bot.channel.Channel`, addressed by the plan.

    It is a :class:`~bot.channel.PlanAddressed` platform: people and team channels have
    their addresses in the plan; nobody links an account.

    Args:
        config: The SMTP server and sender.
        db: The database (chat accounts for the links, enrolment codes).
        ctx: The plan (addresses) and clock.
        doors: The links into the chat each e-mail to a person carries.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``, for a message of unknown language.
    """

    platform = PLATFORM

    def __init__(
        self,
        config: SmtpConfig,
        db: Database,
        ctx: Context,
        doors: ChatDoors | None = None,
        default_lang: str = "lv",
    ) -> None:
        self.config = config
        self.db = db
        self.ctx = ctx
        self.doors = doors or ChatDoors()
        self.default_lang = default_lang

    def person_target(self, person_id: str) -> str | None:
        """The person's address in the plan (``accounts.email``, else ``email``)."""
        try:
            return self.ctx.plan.person(person_id).accounts.account(PLATFORM)
        except UnknownPlanItem:
            return None

    def channel_target(self, channel_id: str) -> str | None:
        """The team channel's ``accounts.email`` addresses in the plan, comma-separated."""
        try:
            return self.ctx.plan.channel(channel_id).accounts.account(PLATFORM)
        except UnknownPlanItem:
            return None

    def _owner(self, address: str) -> str | None:
        """The one person of the plan with this address (``None``: nobody, or several)."""
        people = self.ctx.plan.plan.people
        owners = [p.id for p in people if p.accounts.account(PLATFORM) == address]
        return owners[0] if len(owners) == 1 else None

    async def send(self, address: Address, message: Message) -> str | None:
        """E-mail ``message`` to ``address.target`` (a comma-separated list for a channel).

        Returns:
            The e-mail's ``Message-ID``, once the SMTP server accepted it.

        Raises:
            bot.channel.Unreachable: If the server refused the recipients or the message
                for good (reason codes ``address_refused``, ``message_refused``).
            bot.channel.TemporaryFailure: If the server answered "not now" (4yz), refused
                the login, or could not be reached.
        """
        lang = as_lang(message.lang) or resolve_locale(
            plan_default=self.ctx.plan.plan.locale, default=self.default_lang
        )
        t = translator(lang)
        recipients = [a.strip() for a in address.target.split(",") if a.strip()]
        owner = self._owner(address.target) if address.kind == "dm" else None
        links = await self.doors.links(self.db, self.ctx, owner, t) if owner else []
        mail = compose(message, t, sender=self.config.sender, to=recipients, links=links)
        await submit(self.config, mail, recipients, address)
        return str(mail["Message-ID"])
