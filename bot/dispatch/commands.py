"""This module contains the chat commands: ``/pending``, ``/lang``, ``/remind`` … → the domain."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from sqlmodel import Session

from bot import command_table
from bot.events import CommandReceived
from bot.outbox import Outbox
from workflows import decisions
from workflows.context import Context
from workflows.decisions import actions
from workflows.forms import conversation
from workflows.forms.parsing import parse_date
from workflows.notices import (
    ChannelBound,
    Help,
    Outgoing,
    ToChannel,
    ToPerson,
    WebLink,
    problem,
)
from workflows.people import absences, accounts, bindings, web_access
from workflows.periods import last_closed
from workflows.plan import finding as indicators
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Frequency
from workflows.reports import summaries
from workflows.rounds import history, status
from workflows.rounds import opening as rounds
from workflows.rounds.pending import pending_for

Handler = Callable[[Session, str, tuple[str, ...]], list[Outgoing]]
ADMIN_COMMANDS = command_table.ADMIN_ONLY
SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
"""A number typed in a command (a decision number, a count): ASCII digits, small enough for
any database integer."""


class CommandHandlers:
    """The command half of :class:`~bot.dispatch.Dispatcher` (a mixin)."""

    ctx: Context
    outbox: Outbox
    default_lang: str
    web_base_url: str | None

    def handlers(self) -> dict[str, Handler]:
        """A handler for each name of :data:`bot.command_table.COMMANDS` but ``bind``.

        ``/bind`` needs the chat it was sent in, not only its words (:meth:`_bind`).
        """
        return {
            "help": self._help,
            "start": self._pending,
            "pending": self._pending,
            "cancel": self._cancel,
            "back": self._back,
            "lang": self._lang,
            "remind": self._remind,
            "summary": self._summary,
            "away": self._away,
            "history": self._history,
            "indicators": self._indicators,
            "status": self._status,
            "platform": self._platform,
            "approve": self._decide(decisions.APPROVE),
            "reject": self._decide(decisions.REJECT),
            "propose": self._decide(decisions.PROPOSE),
            "correct": self._correct,
            "action": self._action,
            "web": self._web,
        }

    def _help(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        plan = self.ctx.plan
        is_approver = any(
            plan.approver(a, i) == person_id for a in plan.activities for i in a.indicators
        )
        notice = Help(
            is_admin=plan.is_admin(person_id),
            is_approver=is_approver,
            is_manager=bool(status.managed_activities(self.ctx, person_id)),
        )
        return [Outgoing(ToPerson(person_id), notice)]

    def _web(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        me = ToPerson(person_id)
        if self.web_base_url is None:
            return [Outgoing(me, problem("web_off"))]
        link = web_access.issue_link(session, self.ctx, person_id)
        if link is None:
            return [Outgoing(me, problem("not_enrolled"))]
        url = f"{self.web_base_url}/web/sign-in/{link.token}"
        return [Outgoing(me, WebLink(url, link.expires_at))]

    def _pending(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        listing = pending_for(session, self.ctx, person_id)
        out = [Outgoing(ToPerson(person_id), listing)]
        return out + conversation.current_prompt(session, self.ctx, person_id)

    def _cancel(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        return conversation.cancel_form(session, self.ctx, person_id)

    def _back(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        return conversation.back_form(session, self.ctx, person_id)

    def _lang(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        return accounts.choose_language(session, self.ctx, person_id, args, self.default_lang)

    def _remind(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        if len(args) not in (1, 2):
            usage = f"/remind ACTIVITY [{self._period_examples()}]"
            return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
        period = args[1] if len(args) == 2 else None
        return rounds.open_round(session, self.ctx, args[0], period, person_id)

    def _summary(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        if len(args) not in (1, 2):
            usage = f"/summary CHANNEL [{self._period_examples()}]"
            return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
        period = args[1] if len(args) == 2 else None
        return summaries.post_summary(session, self.ctx, args[0], period, person_id)

    def _away(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        if not args:
            return absences.listing(session, self.ctx, person_id)
        if len(args) == 1 and args[0].lower() in ("cancel", "atcelt", "back"):
            return absences.cancel(session, self.ctx, person_id)
        dates = [parse_date(a) for a in args]
        if len(dates) != 2 or dates[0] is None or dates[1] is None:
            usage = "/away DD.MM.YYYY DD.MM.YYYY | /away cancel"
            return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
        return absences.register(session, self.ctx, person_id, dates[0], dates[1], person_id)

    def _history(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """``/history WHICH [N]``: WHICH is a list number, an id, a label or its beginning."""
        if not args:
            return indicators.listing(self.ctx, person_id)
        words, count = list(args), history.DEFAULT_PERIODS
        whole = " ".join(words)
        if (
            len(words) > 1
            and SMALL_NUMBER.fullmatch(words[-1])
            and len(indicators.resolve(self.ctx, person_id, whole)) != 1
        ):
            count = int(words.pop())
        if count < 1:
            usage = "/history INDICATOR [N]"
            return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
        return history.history(session, self.ctx, person_id, " ".join(words), count)

    def _indicators(
        self, _session: Session, person_id: str, _args: tuple[str, ...]
    ) -> list[Outgoing]:
        return indicators.listing(self.ctx, person_id)

    def _bind(self, session: Session, person_id: str, event: CommandReceived) -> list[Outgoing]:
        """``/bind CHANNEL`` in a group: that group gets the team channel's posts."""
        me = ToPerson(person_id)
        chat = event.sender.chat
        if chat is None:
            return [Outgoing(me, problem("bind_in_group"))]
        if len(event.args) != 1:
            return [Outgoing(me, problem("usage", usage="/bind CHANNEL"))]
        channel_id = event.args[0].lstrip("#")
        try:
            dropped = bindings.bind(
                session, self.ctx, channel_id, event.sender.platform, chat, person_id
            )
        except UnknownPlanItem:
            known = ", ".join(c.id for c in self.ctx.plan.plan.channels)
            return [Outgoing(me, problem("unknown_channel", channel=channel_id, known=known))]
        notice = ChannelBound(channel_id, event.sender.platform, dropped)
        return [Outgoing(ToChannel(channel_id), notice)]

    def _platform(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """``/platform NAME|auto``: where DMs go (a linked account, or a plan's address)."""
        addressed = tuple(
            c.platform
            for c in self.outbox.router.notify_only
            if c.person_target(person_id) is not None
        )
        return accounts.choose_platform(session, self.ctx, person_id, args, addressed)

    def _status(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        return status.status_for(session, self.ctx, person_id)

    def _action(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """``/action N STATUS``: update an improvement action.

        STATUS: the state's own word (``in-progress``/``procesā``, ``done``/``izpildīts``,
        ``cancelled``/``atcelts``; domain.md's action states); ``started``/``uzsākts`` are
        still accepted for ``in-progress``.
        """
        words = {
            "in-progress": "in_progress",
            "in_progress": "in_progress",
            "procesā": "in_progress",
            "started": "in_progress",
            "done": "done",
            "cancelled": "cancelled",
            "uzsākts": "in_progress",
            "sākts": "in_progress",
            "izpildīts": "done",
            "atcelts": "cancelled",
        }
        number = args[0].lstrip("#") if len(args) == 2 else ""
        word = unicodedata.normalize("NFC", args[1]).casefold() if len(args) == 2 else ""
        if not SMALL_NUMBER.fullmatch(number) or word not in words:
            usage = "/action N in-progress|done|cancelled (procesā|izpildīts|atcelts)"
            return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
        status = words[word]
        return actions.update_status(session, self.ctx, person_id, int(number), status)

    def _correct(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """``/correct [INDICATOR]``: correct a submitted value (a new version, with a reason).

        INDICATOR is a number of ``/indicators``, an id, a label or its beginning.
        """
        indicator = " ".join(args) if args else None
        return conversation.start_correction(session, self.ctx, person_id, indicator_id=indicator)

    def _period_examples(self) -> str:
        """The last closed month, quarter and year, as a usage hint (e.g. ``2026-10|2026-Q3``)."""
        today = self.ctx.today()
        kinds = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.YEARLY)
        return "|".join(str(last_closed(kind, today)) for kind in kinds)

    def _decide(self, outcome: str) -> Handler:
        def handler(session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
            number = args[0].lstrip("#") if len(args) == 1 else ""  # e.g. "/approve #3"
            if not SMALL_NUMBER.fullmatch(number):
                usage = f"/{outcome} N"
                return [Outgoing(ToPerson(person_id), problem("usage", usage=usage))]
            if outcome == decisions.PROPOSE:
                return decisions.propose_upwards(session, self.ctx, person_id, int(number))
            return conversation.start_decision(session, self.ctx, person_id, int(number), outcome)

        return handler
