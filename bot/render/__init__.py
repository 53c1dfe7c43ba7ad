"""Rendering: domain notices → :class:`~bot.messages.Message` in one language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.messages import Message
from bot.render import (
    decisions,
    delivery,
    forms,
    indicators,
    misc,
    results,
    rollup,
    rounds,
    status,
    summary,
    values,
    web,
)
from bot.render.context import RenderContext
from workflows import notices as n

_RENDERERS: dict[type[Any], Callable[[Any, RenderContext], Message]] = {
    n.Reminder: rounds.render_reminder,
    n.Digest: rounds.render_digest,
    n.SnoozeOptions: rounds.render_snooze_options,
    n.Snoozed: rounds.render_snoozed,
    n.RoundOpened: rounds.render_round_opened,
    n.MeasurementsRecorded: results.render_recorded,
    n.NothingToMeasure: results.render_nothing_to_measure,
    n.PendingList: status.render_pending,
    n.StatusReport: status.render_status,
    n.HomeView: status.render_home,
    n.FormPrompt: forms.render_prompt,
    n.AnswerRefused: forms.render_refused,
    n.FormCancelled: forms.render_cancelled,
    n.FormExpired: forms.render_expired,
    n.NothingToCancel: forms.render_nothing_to_cancel,
    n.DecisionRequested: decisions.render_requested,
    n.DecisionStillOpen: decisions.render_still_open,
    n.ActionDue: decisions.render_action_due,
    n.ActionUpdated: decisions.render_action_updated,
    n.ActionVerified: decisions.render_action_verified,
    n.DecisionWithdrawn: decisions.render_withdrawn,
    n.OthersFilling: status.render_others_filling,
    n.NotApprover: decisions.render_not_approver,
    n.DecisionAlreadyTaken: decisions.render_already_taken,
    n.DecisionRecorded: decisions.render_recorded,
    n.DecisionProposed: decisions.render_proposed,
    n.Summary: summary.render_summary,
    n.RollupSummary: rollup.render_rollup,
    n.SummaryPosted: summary.render_posted,
    n.History: summary.render_history,
    n.IndicatorList: indicators.render_indicators,
    n.Help: misc.render_help,
    n.AwayRecorded: misc.render_away,
    n.AwayList: misc.render_away_list,
    n.AwayCancelled: misc.render_away_cancelled,
    n.PersonLeft: misc.render_person_left,
    n.LanguageChanged: misc.render_language,
    n.Enrolled: misc.render_enrolled,
    n.PlatformChosen: misc.render_platform_chosen,
    n.ChartNotDelivered: misc.render_chart_not_delivered,
    n.ChannelBound: misc.render_channel_bound,
    n.PersonUnreachable: misc.render_person_unreachable,
    n.ChannelUnreachable: misc.render_channel_unreachable,
    n.ApprovalRequested: values.render_approval_requested,
    n.ValueApproved: values.render_value_approved,
    n.ValueReturned: values.render_value_returned,
    n.ApprovalAlreadyGiven: values.render_already_given,
    n.NotValueApprover: values.render_not_value_approver,
    n.ValueCorrected: values.render_value_corrected,
    n.CorrectionChoices: values.render_correction_choices,
    n.DeliveryProblems: delivery.render_problems,
    n.WebLink: web.render_web_link,
    n.Problem: misc.render_problem,
}

__all__ = ["RenderContext", "render"]


def render(notice: n.Notice, rc: RenderContext) -> Message:
    """Render ``notice`` for one recipient.

    Raises:
        TypeError: For a notice type without a renderer (a programming error).
    """
    renderer = _RENDERERS.get(type(notice))
    if renderer is None:
        raise TypeError(f"no renderer for {type(notice).__name__}")
    return renderer(notice, rc)
