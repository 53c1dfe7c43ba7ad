"""This package contains form sessions: starting, answering, cancelling and expiring forms.

A person has at most one form in progress. Its state lives in the ``form_session`` table
(``"<form>:<step>"`` plus the answers so far), so a restart in the middle of a form continues
at the same step, and expiry is computed from stored instants, so it still applies after a
restart (field case C01). The session and its finishers are in
:mod:`~workflows.forms.conversation.session`, starting a form in
:mod:`~workflows.forms.conversation.starters`, answering it in
:mod:`~workflows.forms.conversation.answers` and the whole form at once (web) in
:mod:`~workflows.forms.conversation.whole_form`; callers use the names below.
"""

from workflows.forms.conversation.answers import (
    answer_form,
    back_form,
    cancel_form,
    current_prompt,
)
from workflows.forms.conversation.session import (
    DOUBLE_TAP,
    OpenForm,
    active_form,
    expire_if_stale,
    form_header,
    latest_draft,
    open_or_retire,
    rebuild,
)
from workflows.forms.conversation.starters import (
    start_correction,
    start_decision,
    start_gap_value,
    start_measurement,
    start_return,
)
from workflows.forms.conversation.whole_form import (
    MeasurementPreview,
    fill_measurement,
    preview_measurement,
)

__all__ = [
    "DOUBLE_TAP",
    "MeasurementPreview",
    "OpenForm",
    "active_form",
    "answer_form",
    "back_form",
    "cancel_form",
    "current_prompt",
    "expire_if_stale",
    "fill_measurement",
    "form_header",
    "latest_draft",
    "open_or_retire",
    "preview_measurement",
    "rebuild",
    "start_correction",
    "start_decision",
    "start_gap_value",
    "start_measurement",
    "start_return",
]
