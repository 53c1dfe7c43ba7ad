"""This module contains what a pressed button does: a :class:`~bot.tokens.Token` → the domain.

One handler per :data:`~bot.tokens.TokenKind`, registered under its kind with
:func:`button`; the tokens themselves are made in :mod:`bot.tokens`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from bot import tokens
from bot.tokens import Token, TokenError, TokenKind
from workflows import decisions
from workflows.context import Context
from workflows.decisions import actions
from workflows.forms import conversation
from workflows.forms.engine import FormState
from workflows.notices import Outgoing, ToPerson, problem
from workflows.people import accounts
from workflows.rounds import approval, history, snooze

ButtonHandler = Callable[["ButtonHandlers", Session, str, Token], list[Outgoing]]
BUTTONS: dict[TokenKind, ButtonHandler] = {}
"""Token kind → its handler (every kind has one; tests/bot/test_issue15_command_table.py)."""


def button(kind: TokenKind) -> Callable[[ButtonHandler], ButtonHandler]:
    """Register the decorated method as the handler of ``kind``'s buttons."""

    def register(handler: ButtonHandler) -> ButtonHandler:
        BUTTONS[kind] = handler
        return handler

    return register


def _unknown(person_id: str) -> list[Outgoing]:
    return [Outgoing(ToPerson(person_id), problem("unknown_choice"))]


class ButtonHandlers:
    """The button half of :class:`~bot.dispatch.Dispatcher` (a mixin)."""

    ctx: Context
    default_lang: str

    def _choice(self, session: Session, person_id: str, raw: str) -> list[Outgoing]:
        try:
            token = Token.decode(raw)
        except TokenError:
            return _unknown(person_id)
        return BUTTONS[token.kind](self, session, person_id, token)

    @button("gap")
    def _gap(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Give the value of an indicator reported as not measured."""
        if token.value != "value":
            return _unknown(person_id)
        return conversation.start_gap_value(session, self.ctx, person_id, token.ref)

    @button("action")
    def _action_status(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Set an improvement action's status."""
        return actions.update_status(session, self.ctx, person_id, token.ref, token.value)

    @button("round")
    def _round(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Enter measurements, continue a draft, or correct a value of the round."""
        if token.value == "correct":
            return conversation.start_correction(session, self.ctx, person_id, round_id=token.ref)
        if token.value in ("start", "draft"):
            return conversation.start_measurement(
                session, self.ctx, person_id, token.ref, from_draft=token.value == "draft"
            )
        return _unknown(person_id)

    @button("value")
    def _value(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Correct a stored value, or approve / return a version of it."""
        if token.value == "correct":
            return conversation.start_correction(
                session, self.ctx, person_id, measurement_id=token.ref
            )
        review = tokens.split_review(token.value)
        if review is None:
            return _unknown(person_id)
        action, version = review
        if action == approval.APPROVE:
            return approval.approve(session, self.ctx, person_id, token.ref, version)
        if action == approval.RETURN:
            return conversation.start_return(session, self.ctx, person_id, token.ref, version)
        return _unknown(person_id)

    @button("hist")
    def _indicator_history(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """An indicator's history, unless a plan change moved another one to its place."""
        every = self.ctx.plan.all_indicators()
        if token.ref >= len(every) or tokens.step_mark(every[token.ref][1].id) != token.value:
            return [Outgoing(ToPerson(person_id), problem("stale_button"))]
        return history.history(session, self.ctx, person_id, every[token.ref][1].id)

    @button("snooze")
    def _snooze(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Postpone a round's reminder (``ask`` shows the options)."""
        if token.value == "ask":
            return snooze.options(session, self.ctx, person_id, token.ref)
        return snooze.snooze(session, self.ctx, person_id, token.ref, token.value)

    @button("decision")
    def _decision(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """Propose a decision upwards, or start approving / rejecting it."""
        if token.value == decisions.PROPOSE:
            return decisions.propose_upwards(session, self.ctx, person_id, token.ref)
        return conversation.start_decision(session, self.ctx, person_id, token.ref, token.value)

    @button("form")
    def _form(self, session: Session, person_id: str, token: Token) -> list[Outgoing]:
        """An option of the open form's current step (or cancel / back)."""
        current = conversation.active_form(session, person_id)
        if current is None or current.id != token.ref:
            return [Outgoing(ToPerson(person_id), problem("stale_button"))]
        mark, value = tokens.split_step_mark(token.value)
        if value == "cancel":
            return conversation.cancel_form(session, self.ctx, person_id)
        if mark is not None and mark != tokens.step_mark(FormState.decode(current.state)):
            return [Outgoing(ToPerson(person_id), problem("stale_step"))]  # the form moved on
        if value == "back":
            return conversation.back_form(session, self.ctx, person_id)
        lang = accounts.language(session, self.ctx, person_id, self.default_lang)
        answered = conversation.answer_form(
            session, self.ctx, person_id, value, lang, session_id=token.ref
        )
        return answered or []
