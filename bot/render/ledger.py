"""This module contains the human names of the delivery record's words, in one table.

The outbox stores each message's kind as its notice class (``Reminder``, ``AwayRecorded``),
its state (``delivered``, ``undeliverable`` …) and the reason it could not be delivered
(``no_account`` …). People read them in the web view's Deliveries page and in
``controlbot deliveries``'s table, both through these functions; CSV and JSON keep the stored
words, which stay stable for scripts.
"""

from __future__ import annotations

import unicodedata

from bot.i18n import N_, Translator, translator

NOTICE_KINDS: dict[str, str] = {
    "Reminder": N_("reminder"),
    "Digest": N_("reminder digest"),
    "DeliveryProblems": N_("undelivered messages digest"),
    "SnoozeOptions": N_("remind-me-later options"),
    "AwayRecorded": N_("absence recorded"),
    "AwayList": N_("absences"),
    "AwayCancelled": N_("absence cancelled"),
    "PersonLeft": N_("person left the plan"),
    "History": N_("indicator history"),
    "IndicatorList": N_("indicator list"),
    "Snoozed": N_("reminder postponed"),
    "RoundOpened": N_("control round opened"),
    "FormPrompt": N_("form question"),
    "AnswerRefused": N_("answer not accepted"),
    "FormCancelled": N_("form cancelled"),
    "FormExpired": N_("form expired"),
    "NothingToCancel": N_("nothing to cancel"),
    "MeasurementsRecorded": N_("measurements saved"),
    "NothingToMeasure": N_("nothing to measure"),
    "DecisionRequested": N_("improvement decision request"),
    "DecisionStillOpen": N_("improvement decision reminder"),
    "ActionDue": N_("improvement action reminder"),
    "ActionUpdated": N_("improvement action updated"),
    "DecisionWithdrawn": N_("improvement decision withdrawn"),
    "ActionVerified": N_("improvement action verified"),
    "NotApprover": N_("decision refused: not the approver"),
    "DecisionAlreadyTaken": N_("decision already taken"),
    "DecisionRecorded": N_("improvement decision taken"),
    "DecisionProposed": N_("improvement decision proposed upwards"),
    "Summary": N_("summary"),
    "RollupSummary": N_("roll-up summary"),
    "SummaryPosted": N_("summary posted"),
    "PendingList": N_("what waits for you"),
    "StatusReport": N_("status of control rounds"),
    "HomeView": N_("home view"),
    "OthersFilling": N_("someone else is answering"),
    "Help": N_("help"),
    "LanguageChanged": N_("language changed"),
    "WebLink": N_("web view sign-in link"),
    "Enrolled": N_("account linked"),
    "PlatformChosen": N_("platform chosen"),
    "ChartNotDelivered": N_("chart not delivered"),
    "ChannelBound": N_("team channel connected"),
    "PersonUnreachable": N_("person cannot be reached"),
    "ChannelUnreachable": N_("team channel cannot be reached"),
    "ApprovalRequested": N_("value approval request"),
    "ValueApproved": N_("value approved"),
    "ValueReturned": N_("value returned"),
    "ApprovalAlreadyGiven": N_("value already approved"),
    "NotValueApprover": N_("approval refused: not the approver"),
    "ValueCorrected": N_("value corrected"),
    "CorrectionChoices": N_("values to correct"),
    "Problem": N_("refusal or error message"),
}
"""Every notice class of :data:`workflows.notices.Notice` (a test holds them equal)."""

DELIVERY_STATES: dict[str, str] = {
    "queued": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "delivered": N_("delivered"),
    "undeliverable": N_("not deliverable"),
    "expired": N_("not delivered in time"),
}
"""Every state of :data:`workflows.notices.outbox.STATUSES`."""

DELIVERY_REASONS: dict[str, str] = {
    "no_account": N_("no chat account linked"),
    "blocked": N_("the robot was blocked or the account closed"),
    "not_in_channel": N_("the robot is not a member of the chat"),
    "channel_gone": N_("the chat no longer exists"),
    "not_bound": N_("the team channel is not connected to any chat"),
    "address_refused": N_("the mail server refused the address"),
    "message_refused": N_("the mail server refused the message"),
    "render_failed": N_("the message could not be prepared"),
    "error": N_("refused by the platform"),
}
"""Why a message is ``undeliverable`` (``OutboxMessage.reason``)."""


def _named(table: dict[str, str], word: str | None, t: Translator) -> str:
    if not word:
        return ""
    msgid = table.get(word)
    return t.gettext(msgid) if msgid else word


def kind_name(kind: str | None, t: Translator) -> str:
    """What kind of message it was, in words (``AwayRecorded`` → "absence recorded")."""
    return _named(NOTICE_KINDS, kind, t)


def state_name(state: str | None, t: Translator) -> str:
    """A delivery state in words (``undeliverable`` → "not deliverable")."""
    return _named(DELIVERY_STATES, state, t)


def state_of(word: str, t: Translator) -> str | None:
    """The stored state a person typed, or ``None``.

    Its stored word or its name in ``t``'s language or English (``nogādāta``, ``delivered``,
    ``not deliverable``); case aside.
    """
    wanted = _plain(word)
    readers = (t, translator("en"))
    for state, msgid in DELIVERY_STATES.items():
        if wanted == state or any(wanted == _plain(r.gettext(msgid)) for r in readers):
            return state
    return None


def state_choices(t: Translator) -> str:
    """Every state in ``t``'s words, each with its stored word: ``nogādāta (delivered), …``."""
    return ", ".join(f"{t.gettext(msgid)} ({state})" for state, msgid in DELIVERY_STATES.items())


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def reason_name(reason: str | None, t: Translator) -> str:
    """Why a message could not be delivered, in words (unknown reasons as stored)."""
    return _named(DELIVERY_REASONS, reason, t)


def note(reason: str | None, last_error: str | None, t: Translator) -> str:
    """The note of a delivery row: the reason in words, else the platform's last error."""
    return reason_name(reason, t) if reason else (last_error or "")
