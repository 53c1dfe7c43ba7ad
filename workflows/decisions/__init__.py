"""Improvement decisions (PU3-3 step 5, "veic pilnveidi").

A critical value, or ``decision_after_warnings`` warning-or-worse values in a row, opens a
decision for the indicator's approver. Only the approver may decide: approve (with an
action, its owner and a due date) or reject (with a reason). The outcome goes to the
activity's team channel and the audit log.

When a decision opens or is withdrawn is in :mod:`~workflows.decisions.opening`; who may take
it in :mod:`~workflows.decisions.approvers`; taking it in :mod:`~workflows.decisions.taking`;
its words and briefs in :mod:`~workflows.decisions.briefs`. Every public name is re-exported
here (``from workflows import decisions; decisions.record_decision(...)``).
"""

from workflows.decisions.approvers import (
    check_can_decide,
)
from workflows.decisions.briefs import (
    ACTION_HORIZON_DAYS,
    APPROVE,
    FORM,
    OUTCOMES,
    REJECT,
    TRIGGER_CRITICAL,
    TRIGGER_WARNINGS,
    WITHDRAWN,
    brief,
    load_brief,
    open_decisions,
    summary_decisions,
)
from workflows.decisions.opening import (
    maybe_open_decision,
    withdraw_for,
)
from workflows.decisions.taking import (
    PROPOSE,
    decision_spec,
    propose_upwards,
    record_decision,
)

__all__ = [
    "ACTION_HORIZON_DAYS",
    "APPROVE",
    "FORM",
    "OUTCOMES",
    "PROPOSE",
    "REJECT",
    "TRIGGER_CRITICAL",
    "TRIGGER_WARNINGS",
    "WITHDRAWN",
    "brief",
    "check_can_decide",
    "decision_spec",
    "load_brief",
    "maybe_open_decision",
    "open_decisions",
    "propose_upwards",
    "record_decision",
    "summary_decisions",
    "withdraw_for",
]
