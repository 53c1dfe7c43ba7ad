"""This module contains :class:`Dispatcher`: incoming events → domain operations → outbox.

Each event is recorded in the inbox and applied in the person's order (:mod:`bot.inbox`),
inside one database transaction that also queues the notices it produced in the outbox;
they are delivered after the commit (:mod:`bot.outbox`). Any unexpected error is
logged and the person gets a translated "something went wrong", never a traceback.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping

from sqlmodel import Session, col, select

from bot import tokens
from bot.channel import Address, Channel, TemporaryFailure, Unreachable
from bot.events import (
    ChoiceSelected,
    CommandReceived,
    Event,
    FormSubmitted,
    Sender,
    TextReceived,
    UnsupportedMessage,
    readable,
)
from bot.i18n import SUPPORTED, Lang, as_lang, resolve_locale, translator
from bot.inbox import Inbox
from bot.messages import Message
from bot.outbox import Outbox, person_language
from bot.render import RenderContext, render
from bot.tokens import Token, TokenError
from storage.db import Database
from storage.models import Person, PlatformIdentity
from workflows import (
    absences,
    actions,
    approval,
    audit,
    bindings,
    conversation,
    decisions,
    enrolment,
    history,
    home,
    indicators,
    rounds,
    snooze,
    status,
    summaries,
    web_access,
)
from workflows.context import Context
from workflows.forms.engine import FormState
from workflows.forms.parsing import parse_date
from workflows.notices import (
    ChannelBound,
    DecisionAlreadyTaken,
    Enrolled,
    Help,
    LanguageChanged,
    NotApprover,
    NotValueApprover,
    Outgoing,
    PlatformChosen,
    Problem,
    ToChannel,
    ToPerson,
    WebLink,
    problem,
)
from workflows.pending import pending_for
from workflows.periods import last_closed
from workflows.plan.model import UnknownPlanItem
from workflows.plan.schema import Frequency

_LOGGER = logging.getLogger(__name__)
Handler = Callable[[Session, str, tuple[str, ...]], list[Outgoing]]
Alert = Callable[[str], Awaitable[None]]
"""Shows a short text where the user pressed a button (a Telegram callback-query alert)."""

ALERT_PROBLEMS = frozenset(
    {
        "stale_button",
        "stale_step",
        "unknown_choice",
        "form_already_started",  # a double tap: one effect, no second message
        "decision_form_started",  # a later, conflicting input: the first one won
    }
)
"""Refusals of a pressed button that are shown as an alert, not as a new message."""

ADMIN_COMMANDS = frozenset({"remind", "summary", "bind"})
SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
"""A number typed in a command (a decision number, a count): ASCII digits, small enough for
any database integer."""


class Dispatcher:
    """Routes events from any channel to the domain.

    Args:
        ctx: Plan, clock, calendar.
        db: The database.
        outbox: Where notices go.
        default_lang: ``CONTROLBOT_DEFAULT_LOCALE``.
        hold: Seconds to hold an event before applying it, by platform, where one
            person's updates may arrive out of order (see :class:`bot.inbox.Inbox`).
    """

    def __init__(
        self,
        ctx: Context,
        db: Database,
        outbox: Outbox,
        default_lang: str,
        web_base_url: str | None = None,
        *,
        hold: Mapping[str, float] | None = None,
    ) -> None:
        self.ctx = ctx
        self.web_base_url = web_base_url
        self.db = db
        self.outbox = outbox
        self.default_lang = default_lang
        self.inbox = Inbox(ctx, db, outbox, self._route, self._identify, _is_alert, hold)
        self._commands: dict[str, Handler] = {
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

    @property
    def command_names(self) -> frozenset[str]:
        """Every command the dispatcher answers (without the slash)."""
        return frozenset({*self._commands, "bind"})

    # --- entry point ---------------------------------------------------------------------

    async def handle(
        self,
        event: Event,
        *,
        alert: Alert | None = None,
        key: str | None = None,
        seq: int | None = None,
    ) -> list[Outgoing]:
        """Handle one event: record it, apply it in the person's order, send what it produced.

        Args:
            event: What arrived.
            alert: Where a platform shows a short refusal of a pressed button (someone
                else's decision, a stale button) instead of sending a message; the text
                is in the presser's language.
            key: The platform's id of the update (``telegram:<update_id>``…): a repeated
                delivery of the same key has no second effect, also after a restart.
            seq: The platform's order of the update (Telegram's ``update_id``, Slack's event
                time in microseconds); one person's events take effect in this order.

        Returns:
            The notices the event produced (for the CLI and tests); empty for a repeat.
        """
        event = _readable(event)
        if isinstance(event, CommandReceived) and event.name == "start" and event.args:
            if event.sender.chat is not None:
                return []  # invite codes are for the private chat the deep link opens
            self.inbox.settle(key)  # not recorded: a webhook need not wait for the greeting
            return await self._enrol(event)
        items = await self.inbox.handle(event, key=key, seq=seq, alert=alert)
        if items is None:
            await self._not_enrolled(event.sender, alert)
            return []
        return items

    async def home(self, sender: Sender) -> Message | None:
        """The sender's home page (Slack's App Home), or ``None`` if they are not enrolled."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        view = await self.db.run(lambda s: home.home_for(s, self.ctx, person_id))
        return await self.outbox.render_for(Outgoing(ToPerson(person_id), view))

    async def begin_form(
        self, sender: Sender, round_id: int
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
            return found, person_language(session, self.ctx, person_id, self.default_lang)

        found, lang = await self.db.run(work)
        if isinstance(found, conversation.MeasurementPreview):
            return found, lang
        texts = [(await self.outbox.render_for(i)).plain() for i in found]
        return "\n\n".join(texts)

    async def first_round_to_measure(self, sender: Sender) -> int | None:
        """The open round where the sender has the earliest due measurements, if any."""
        person_id = await self.db.run(lambda s: self._identify(s, sender))
        if person_id is None:
            return None
        listing = await self.db.run(lambda s: pending_for(s, self.ctx, person_id))
        return listing.rounds[0].round_id if listing.rounds else None

    async def submit_form(
        self,
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

    async def _enrol(self, event: CommandReceived) -> list[Outgoing]:
        """``/start <code>``: link the sender's account by an invite code."""
        sender = event.sender
        result = await self.db.run(
            lambda s: enrolment.redeem(
                s, self.ctx, event.args[0], sender.platform, sender.user_id, sender.client_language
            )
        )
        if isinstance(result, enrolment.Refused):
            await self._reply_unlinked(sender, problem(f"invite_{result.reason}"))
            return []
        person_id = result.person_id
        async with self.inbox.person_lock(person_id):
            items = [Outgoing(ToPerson(person_id), Enrolled(person_id, result.already))]
            items += await self.db.run(lambda s: self._pending(s, person_id, ()))
            await self.outbox.deliver(items, origin=person_id, via=sender.platform)
        return items

    def _identify(self, session: Session, sender: Sender) -> str | None:
        identity = session.exec(
            select(PlatformIdentity).where(
                col(PlatformIdentity.platform) == sender.platform,
                col(PlatformIdentity.external_id) == sender.user_id,
            )
        ).first()
        if identity is None:
            return None
        person = session.get(Person, identity.person_id)
        if person is None or not person.active:
            return None
        identity.last_seen_at = self.ctx.now()
        if sender.chat is None:  # a DM from them: we can write to them again (C03)
            identity.unreachable_since = None
        if sender.client_language:
            identity.client_language = sender.client_language[:35]
        session.add(identity)
        return identity.person_id

    async def _not_enrolled(self, sender: Sender, alert: Alert | None) -> None:
        """Tell an unknown account, in its client's language, that it is not enrolled."""
        if alert is not None:
            await alert(self._for_stranger(sender, problem("not_enrolled")).plain())
        elif sender.chat is None:  # in a group, strangers' commands get no answer
            await self._reply_unlinked(sender, problem("not_enrolled"))

    def _for_stranger(self, sender: Sender, notice: Problem) -> Message:
        """``notice`` for an account no person is linked to, in its client's language."""
        lang = resolve_locale(client=sender.client_language, default=self.default_lang)
        return render(notice, RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone))

    async def _reply_unlinked(self, sender: Sender, notice: Problem) -> None:
        """Reply to an account no person is linked to (yet), in its client's language."""
        channel: Channel | None = self.outbox.channels.get(sender.platform)
        if channel is None:
            return
        address = Address(sender.platform, "dm", sender.user_id, sender.user_id)
        try:
            await channel.send(address, self._for_stranger(sender, notice))
        except (TemporaryFailure, Unreachable) as exc:  # a stranger is not in the outbox
            _LOGGER.warning("could not answer %s: %s", address, exc)
        except Exception:  # anything else: only log it, with where it came from
            _LOGGER.warning("could not answer %s", address, exc_info=True)

    # --- routing -------------------------------------------------------------------------

    def _route(self, session: Session, person_id: str, event: Event) -> list[Outgoing]:
        me = ToPerson(person_id)
        if isinstance(event, CommandReceived):
            handler = self._commands.get(event.name)
            if handler is None and event.name != "bind":
                return [Outgoing(me, problem("unknown_command", command=event.name))]
            if event.name in ADMIN_COMMANDS and not self.ctx.plan.is_admin(person_id):
                return [Outgoing(me, problem("not_admin", command=event.name))]
            if handler is None:  # /bind needs the chat it was sent in, not only its words
                return self._bind(session, person_id, event)
            return handler(session, person_id, event.args)
        if isinstance(event, ChoiceSelected):
            return self._choice(session, person_id, event.token)
        if isinstance(event, FormSubmitted):
            typed = as_lang(event.lang) or person_language(
                session, self.ctx, person_id, self.default_lang
            )
            return conversation.fill_measurement(
                session, self.ctx, person_id, event.round_id, event.answers, typed
            )
        if isinstance(event, UnsupportedMessage):
            code = "edit_not_read" if event.kind == "edit" else "text_only"
            return [
                Outgoing(me, problem(code)),
                *conversation.current_prompt(session, self.ctx, person_id),
            ]
        lang = person_language(session, self.ctx, person_id, self.default_lang)
        answered = conversation.answer_form(session, self.ctx, person_id, event.text, lang)
        return answered if answered is not None else [Outgoing(me, problem("no_form"))]

    def _choice(self, session: Session, person_id: str, raw: str) -> list[Outgoing]:
        me = ToPerson(person_id)
        try:
            token = Token.decode(raw)
        except TokenError:
            return [Outgoing(me, problem("unknown_choice"))]
        if token.kind == "gap" and token.value == "value":
            return conversation.start_gap_value(session, self.ctx, person_id, token.ref)
        if token.kind == "action":
            return actions.update_status(session, self.ctx, person_id, token.ref, token.value)
        if token.kind == "round" and token.value == "correct":
            return conversation.start_correction(session, self.ctx, person_id, round_id=token.ref)
        if token.kind == "value" and token.value == "correct":
            return conversation.start_correction(
                session, self.ctx, person_id, measurement_id=token.ref
            )
        if token.kind == "value":
            review = tokens.split_review(token.value)
            if review is None:
                return [Outgoing(me, problem("unknown_choice"))]
            action, version = review
            if action == approval.APPROVE:
                return approval.approve(session, self.ctx, person_id, token.ref, version)
            if action == approval.RETURN:
                return conversation.start_return(session, self.ctx, person_id, token.ref, version)
            return [Outgoing(me, problem("unknown_choice"))]
        if token.kind == "round" and token.value in ("start", "draft"):
            return conversation.start_measurement(
                session, self.ctx, person_id, token.ref, from_draft=token.value == "draft"
            )
        if token.kind == "hist":
            every = self.ctx.plan.all_indicators()
            if token.ref >= len(every) or tokens.step_mark(every[token.ref][1].id) != token.value:
                return [Outgoing(me, problem("stale_button"))]
            return history.history(session, self.ctx, person_id, every[token.ref][1].id)
        if token.kind == "snooze":
            if token.value == "ask":
                return snooze.options(session, self.ctx, person_id, token.ref)
            return snooze.snooze(session, self.ctx, person_id, token.ref, token.value)
        if token.kind == "decision" and token.value == decisions.PROPOSE:
            return decisions.propose_upwards(session, self.ctx, person_id, token.ref)
        if token.kind == "decision":
            return conversation.start_decision(
                session, self.ctx, person_id, token.ref, token.value
            )
        if token.kind == "form":
            current = conversation.active_form(session, person_id)
            if current is None or current.id != token.ref:
                return [Outgoing(me, problem("stale_button"))]
            mark, value = tokens.split_step_mark(token.value)
            if value == "cancel":
                return conversation.cancel_form(session, self.ctx, person_id)
            if mark is not None and mark != tokens.step_mark(FormState.decode(current.state)):
                return [Outgoing(me, problem("stale_step"))]  # the form has moved on
            if value == "back":
                return conversation.back_form(session, self.ctx, person_id)
            lang = person_language(session, self.ctx, person_id, self.default_lang)
            answered = conversation.answer_form(
                session, self.ctx, person_id, value, lang, session_id=token.ref
            )
            return answered or []
        return [Outgoing(me, problem("unknown_choice"))]

    # --- commands ------------------------------------------------------------------------

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
        me = ToPerson(person_id)
        usage = problem("usage", usage="/lang " + "|".join((*SUPPORTED, "auto")))
        person = session.get(Person, person_id)
        if not args or person is None:
            current = person_language(session, self.ctx, person_id, self.default_lang)
            return [Outgoing(me, LanguageChanged(current, changed=False)), Outgoing(me, usage)]
        choice = args[0].lower() if len(args) == 1 else ""
        lang = None if choice == "auto" else as_lang(choice)
        if choice != "auto" and lang is None:
            return [Outgoing(me, usage)]
        person.chosen_language = lang
        session.add(person)
        audit.record(
            session,
            self.ctx,
            person_id,
            "person.language",
            f"person:{person_id}",
            language=lang or "auto",
        )
        shown = lang or person_language(session, self.ctx, person_id, self.default_lang)
        return [Outgoing(me, LanguageChanged(shown))]

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
        """``/platform telegram|slack|auto``: where DMs go when several accounts are linked."""
        me = ToPerson(person_id)
        linked = tuple(
            sorted(
                {
                    i.platform
                    for i in session.exec(
                        select(PlatformIdentity).where(
                            col(PlatformIdentity.person_id) == person_id
                        )
                    ).all()
                    if i.platform != "console"
                }
            )
        )
        person = session.get(Person, person_id)
        choice = args[0].lower() if len(args) == 1 else ""
        if person is None or (choice != "auto" and choice not in linked):
            usage = "/platform " + "|".join((*linked, "auto"))
            return [Outgoing(me, problem("usage", usage=usage))]
        person.chosen_platform = None if choice == "auto" else choice
        session.add(person)
        audit.record(
            session, self.ctx, person_id, "person.platform", f"person:{person_id}", platform=choice
        )
        return [Outgoing(me, PlatformChosen(person.chosen_platform, linked))]

    def _status(self, session: Session, person_id: str, _args: tuple[str, ...]) -> list[Outgoing]:
        return status.status_for(session, self.ctx, person_id)

    def _action(self, session: Session, person_id: str, args: tuple[str, ...]) -> list[Outgoing]:
        """``/action N STATUS``: update an improvement action.

        STATUS: ``started``/``uzsākts``, ``done``/``izpildīts`` or ``cancelled``/``atcelts``.
        """
        words = {
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
            usage = "/action N started|done|cancelled (uzsākts|izpildīts|atcelts)"
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


def _is_alert(item: Outgoing) -> bool:
    notice = item.notice
    if isinstance(notice, NotApprover | DecisionAlreadyTaken | NotValueApprover):
        return True
    return isinstance(notice, Problem) and notice.code in ALERT_PROBLEMS


def _readable(event: Event) -> Event:
    """The event with text that cannot be encoded made readable (field-wide: any platform)."""
    if isinstance(event, TextReceived):
        return TextReceived(event.sender, readable(event.text))
    if isinstance(event, CommandReceived):
        return CommandReceived(event.sender, event.name, tuple(readable(a) for a in event.args))
    if isinstance(event, ChoiceSelected):
        return ChoiceSelected(event.sender, readable(event.token))
    return event
