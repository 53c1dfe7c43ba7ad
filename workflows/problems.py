"""This module contains :data:`ProblemCode`: every reason a request is refused, as a closed type.

A :class:`~workflows.notices.Problem` carries one of these codes and the renderer turns it into
a translated message (``bot.render.errors.PROBLEMS``; a test proves the two lists agree). A
misspelt code fails ``mypy``, not a user: add the code here and its message there.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

ProblemCode: TypeAlias = Literal[
    "action_owner_moves",
    "action_status_not_allowed",
    "action_status_same",
    "approval_not_required",
    "at_first_question",
    "away_dates_order",
    "away_in_past",
    "away_overlaps",
    "away_too_long",
    "bad_period",
    "bind_in_group",
    "channel_no_indicators_at_frequency",
    "channel_without_activities",
    "confirm_choice",
    "decision_form_started",
    "edit_not_read",
    "finish_current_form_first",
    "form_already_started",
    "form_plan_changed",
    "indicator_ambiguous",
    "internal_error",
    "invite_expired",
    "invite_unknown",
    "invite_used",
    "no_form",
    "no_indicators_at_frequency",
    "no_round_for_period",
    "nobody_above",
    "not_a_manager",
    "not_a_measurer",
    "not_a_measurer_of_value",
    "not_action_owner",
    "not_admin",
    "not_enrolled",
    "nothing_to_correct",
    "period_in_future",
    "period_not_over",
    "period_too_old",
    "plan_item_gone",
    "previous_answer",
    "snooze_while_away",
    "stale_button",
    "stale_step",
    "summary_period_not_over",
    "text_only",
    "unknown_action",
    "unknown_activity",
    "unknown_channel",
    "unknown_choice",
    "unknown_command",
    "unknown_decision",
    "unknown_indicator",
    "unknown_round",
    "unknown_value",
    "usage",
    "value_returned_measure_again",
    "web_off",
]
"""Why a request could not be carried out (``internal_error``: something unexpected broke)."""
