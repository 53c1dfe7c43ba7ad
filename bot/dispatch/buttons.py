"""This module contains what a pressed button does: a :class:`~bot.tokens.Token` → the domain."""

from __future__ import annotations

from sqlmodel import Session

from bot import tokens
from bot.tokens import Token, TokenError
from workflows import accounts, actions, approval, conversation, decisions, history, snooze
from workflows.context import Context
from workflows.forms.engine import FormState
from workflows.notices import Outgoing, ToPerson, problem


class ButtonHandlers:
    """The button half of :class:`~bot.dispatch.Dispatcher` (a mixin)."""

    ctx: Context
    default_lang: str

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
            lang = accounts.language(session, self.ctx, person_id, self.default_lang)
            answered = conversation.answer_form(
                session, self.ctx, person_id, value, lang, session_id=token.ref
            )
            return answered or []
        return [Outgoing(me, problem("unknown_choice"))]
