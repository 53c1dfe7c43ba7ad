"""This module turns a loaded plan into translated text lines: overview, readiness, changes.

:func:`format_overview` summarises a plan for ``plan check``; :func:`format_readiness` says
what still keeps it from running (for ``plan check`` and the web view's administration page);
:func:`format_changes` lists what ``plan apply`` changes. Every text goes through the
:class:`~bot.i18n.Translator`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Final

from bot.i18n import N_, Translator
from workflows.plan.changes import PlanChange
from workflows.plan.model import LoadedPlan
from workflows.plan.readiness import Gap, plan_readiness
from workflows.plan.schema import Frequency, Scale

_FREQUENCIES: Final[dict[Frequency, str]] = {
    Frequency.WEEKLY: N_("weekly"),
    Frequency.MONTHLY: N_("monthly"),
    Frequency.QUARTERLY: N_("quarterly"),
    Frequency.HALF_YEARLY: N_("half-yearly"),
    Frequency.YEARLY: N_("yearly"),
}
_SCALES: Final[dict[Scale, str]] = {
    Scale.VALSTS: N_("national scale"),
    Scale.NOZARES: N_("sector scale"),
    Scale.PASVALDIBAS: N_("municipal scale"),
    Scale.IESTADES: N_("institution scale"),
    Scale.PAKALPOJUMA: N_("service scale"),
    Scale.RESURSA: N_("resource scale"),
}


def format_overview(loaded: LoadedPlan, t: Translator) -> list[str]:
    """Summarise a plan: organisation, counts, then one line per activity.

    Args:
        loaded: The validated plan.
        t: The reader's translations.

    Returns:
        Text lines: the organisation, the counts of people, channels, services, resources
        and indicators, and per activity its label, scale and indicators per frequency,
        then each indicator's id (what ``controlbot import``, ``history`` and the API take)
        and label.
    """
    plan = loaded.plan
    indicators = sum(len(a.indicators) for a in loaded.activities)
    counts = [
        t.ngettext("{n} person", "{n} people", len(plan.people)),
        t.ngettext("{n} channel", "{n} channels", len(plan.channels)),
        t.ngettext("{n} service", "{n} services", len(plan.services)),
        t.ngettext("{n} resource", "{n} resources", len(plan.resources)),
        t.ngettext("{n} indicator", "{n} indicators", indicators),
    ]
    lines = [
        t.gettext("Plan: {name}", name=plan.organisation.label.get(t.lang)),
        ", ".join(counts),
    ]
    for activity in loaded.activities:
        per = Counter(i.frequency for i in activity.indicators)
        frequencies = "; ".join(
            t.gettext("{frequency}: {n}", frequency=t.gettext(_FREQUENCIES[f]), n=per[f])
            for f in Frequency
            if per[f]
        )
        lines.append(
            t.ngettext(
                "• {label} — {scale} — {n} indicator ({frequencies})",
                "• {label} — {scale} — {n} indicators ({frequencies})",
                len(activity.indicators),
                label=activity.label.get(t.lang),
                scale=t.gettext(_SCALES[activity.scale]),
                frequencies=frequencies,
            )
        )
        lines.extend(f"    {i.id} — {i.label.get(t.lang)}" for i in activity.indicators)
    return lines


_CONTROL_TYPES = {
    "process": N_("process control"),
    "result": N_("result control"),
    "efficiency": N_("efficiency control"),
}
_CAPABILITIES = {
    "competences": N_("competences"),
    "processes": N_("processes and methods"),
    "information": N_("information and its sources"),
    "technologies": N_("digital technologies"),
}


def _gap_line(gap: Gap, loaded: LoadedPlan, t: Translator) -> str:
    def indicators(ids: tuple[str, ...]) -> str:
        return ", ".join(loaded.indicator(i)[1].label.get(t.lang) for i in ids)

    if gap.code == "no_responsible":
        return t.gettext("no responsible (A) holder at the activity's scale")
    if gap.code == "missing_control_types":
        kinds = ", ".join(t.gettext(_CONTROL_TYPES[k]) for k in gap.items)
        return t.gettext("no indicator for {kinds}", kinds=kinds)
    if gap.code == "no_data_source":
        return t.gettext("no data source for: {items}", items=indicators(gap.items))
    if gap.code == "no_graded_thresholds":
        return t.gettext(
            "target, warning and critical threshold are all equal for: {items}",
            items=indicators(gap.items),
        )
    if gap.code == "no_graded_options":
        return t.gettext(
            "no option is a warning or critical, so the check can never call for action: {items}",
            items=indicators(gap.items),
        )
    if gap.code == "approval_by_the_measurer":
        return t.gettext(
            "values need approval, but the approver is the only one who measures them "
            "(they count as approved at once): {items}",
            items=indicators(gap.items),
        )
    if gap.code == "no_chat_account":
        people = ", ".join(loaded.person(p).name for p in gap.items)
        return t.gettext(
            "no Telegram or Slack account linked (controlbot invite): {people}", people=people
        )
    names = ", ".join(t.gettext(_CAPABILITIES[k]) for k in gap.items)
    return t.gettext("capabilities and resources not recorded: {items}", items=names)


def format_readiness(
    loaded: LoadedPlan, t: Translator, linked: Collection[str] | None = None
) -> list[str]:
    """The control readiness report (PU3-3 steps 1–3): per activity, what control lacks.

    Args:
        loaded: The validated plan.
        t: The reader's translations.
        linked: People with a chat account, when the database could be read.

    Returns:
        A heading, then per activity either "ready" or one line per gap.
    """
    lines = [t.gettext("Control readiness (PU3-3 steps 1–3):")]
    for readiness in plan_readiness(loaded, linked):
        label = loaded.activity(readiness.activity_id).label.get(t.lang)
        if not readiness.gaps:
            lines.append("✔ " + t.gettext("{activity}: ready", activity=label))
            continue
        lines.append("• " + t.gettext("{activity}: not ready — missing:", activity=label))
        lines.extend("    – " + _gap_line(gap, loaded, t) for gap in readiness.gaps)
    return lines


_CHANGE_LINES: Final = {
    "activity_added": ("+", N_("activity {id}: {label}")),
    "activity_removed": (
        "−",
        N_("activity {id} ({label}): removed; its open rounds will be closed"),
    ),
    "indicator_added": ("+", N_("indicator {id}: {label}")),
    "indicator_removed": (
        "−",
        N_("indicator {id} ({label}): removed; its values stay in the history"),
    ),
    "person_added": ("+", N_("person {id}: {name} (send an invitation: controlbot invite {id})")),
    "person_removed": (
        "−",
        N_("person {id} ({name}): leaves; their duties pass on, their managers are told"),
    ),
}
"""Added and removed items: sign and message; every other change is "key before → after"."""


def format_changes(changes: Sequence[PlanChange], first: bool, t: Translator) -> list[str]:
    """``plan apply``'s readable diff, one line per change.

    Args:
        changes: From :func:`workflows.plan.changes.diff`.
        first: No plan was applied before (everything is new).
        t: The reader's translations.
    """
    if not changes:
        return [t.gettext("No changes: this plan is the plan in force.")]
    lines = [t.gettext("No plan was applied before; all of it is new:")] if first else []
    for c in changes:
        shown = c.after or c.before  # the label or name of what was added or removed
        if c.kind in _CHANGE_LINES:
            sign, msgid = _CHANGE_LINES[c.kind]
            lines.append(f"{sign} " + t.gettext(msgid, id=c.subject, label=shown, name=shown))
        else:  # renamed, changed values, other holders
            lines.append(
                "~ "
                + t.gettext(
                    "{id}: {key} “{before}” → “{after}”",
                    id=c.subject,
                    key=c.key,
                    before=c.before,
                    after=c.after,
                )
            )
    return lines
