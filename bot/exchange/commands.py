"""This module contains ``controlbot export`` and ``controlbot import``.

Export writes the chosen periods' measurements (with status, target, thresholds, decision
and action) as CSV, XLSX or JSON. Import reads a CSV file (either variant, detected), checks
every row like a chat answer and stores all rows or none; it prints each refused row with its
number and reason, or what was stored, and delivers the improvement decisions that values
opened (channels connected by the caller).
"""

from __future__ import annotations

import asyncio
import errno
import os
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bot.app import App
from bot.cli.common import tell_others, translator_for
from bot.exchange.csv_files import FileRefused, Variant, read_csv, write_csv
from bot.exchange.out_file import OutFileExists, write_new_file
from bot.i18n import Lang, Translator, translator
from bot.render.context import RenderContext
from bot.render.exchange import file_problem_text, row_error_text
from workflows.exchange import (
    ImportRefused,
    ImportResult,
    export_periods,
    gather,
    import_rows,
    stored_periods,
)
from workflows.exchange.rows import SOURCE_PATTERN
from workflows.notices import ToPerson
from workflows.periods import Period, PeriodError
from workflows.rounds.evaluation import Status

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_SOURCE = "import"
"""The source of imported rows that name none (and no ``--source`` is given)."""

Format = Literal["csv", "xlsx", "json"]


@dataclass(frozen=True)
class ExportChoice:
    """What ``controlbot export`` was asked for besides the format.

    Attributes:
        period: ``--period``: a period of any frequency; its stored periods are exported.
        first: ``--from``: the range starts where this period starts.
        last: ``--to``: the range ends where this period ends.
        lang: ``--lang``: language of the label columns (default: the plan's); what the
            command prints is in the command line's language (``CONTROLBOT_DEFAULT_LOCALE``).
        force: ``--force``: an existing file may be replaced.
    """

    period: str | None = None
    first: str | None = None
    last: str | None = None
    lang: Lang | None = None
    force: bool = False


def _rc(app: App, lang: Lang | None = None) -> RenderContext:
    return RenderContext(translator(lang or app.lang), app.ctx.plan, app.ctx.timezone)


def export(app: App, choice: ExportChoice, fmt: Format, out: Path, variant: Variant) -> int:
    """``controlbot export``: write the file; a one-line account goes to standard error.

    Args:
        app: The wired application.
        choice: Which periods (``--period``, ``--from``/``--to``), the label language and
            whether an existing file may be replaced (``--force``).
        fmt: ``csv``, ``xlsx`` or ``json``.
        out: The file to write (``-``: standard output).
        variant: The CSV variant (``excel`` or ``lv``).

    Returns:
        0, or 2 for a period that cannot be read or a file that cannot (or may not) be written.
    """
    rc = _rc(app, choice.lang)  # the file's labels
    t = translator_for(app.settings)  # what the command line says
    if str(out) != "-" and os.path.lexists(out) and not choice.force:
        print(t.gettext("{path} exists; add --force to replace it.", path=out), file=sys.stderr)
        return EXIT_USAGE
    try:
        periods, rows, stored = app.db.transaction(
            lambda s: (
                found := export_periods(
                    s, app.ctx, choice.period, first_text=choice.first, last_text=choice.last
                ),
                gather(s, app.ctx, found),
                stored_periods(s),
            )
        )
    except PeriodError as exc:
        print(
            t.gettext(
                "“{period}” is not a period. Use 2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026.",
                period=exc.text,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if fmt == "csv":
        data = write_csv(rows, rc, variant)
    elif fmt == "xlsx":
        from bot.exchange.xlsx_files import write_xlsx

        data = write_xlsx(rows, rc)
    else:
        from bot.exchange.json_files import write_json

        data = write_json(rows, periods, rc, app.ctx.now())
    try:
        if str(out) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            write_new_file(out, data, replace=choice.force)
    except OutFileExists:  # appeared since the check above
        print(t.gettext("{path} exists; add --force to replace it.", path=out), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            t.gettext("Cannot write {path}: {reason}", path=out, reason=os_error_text(exc, t)),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not rows:  # said plainly: nothing exported, why, and what the file holds
        print(t.gettext("Nothing was exported."), _why_empty(choice, stored, t), file=sys.stderr)
        if str(out) != "-":
            print(t.gettext("{path} holds only the header row.", path=out), file=sys.stderr)
        return EXIT_OK
    print(
        t.ngettext(
            "Exported {n} measurement ({periods}) to {path}.",
            "Exported {n} measurements ({periods}) to {path}.",
            len(rows),
            periods=", ".join(str(p) for p in periods),
            path=out,
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _why_empty(choice: ExportChoice, stored: list[Period], t: Translator) -> str:
    """Why an export holds no row: nothing stored at all, or what is stored lies elsewhere."""
    if not stored:
        return t.gettext("No values are stored yet.")
    asked = choice.period or f"{choice.first or stored[0]} – {choice.last or stored[-1]}"
    if stored[0] == stored[-1]:
        return t.gettext(
            "No values are stored for {asked}; values are stored only for {stored}.",
            asked=asked,
            stored=stored[0],
        )
    return t.gettext(
        "No values are stored for {asked}; stored values run from {first} to {last}.",
        asked=asked,
        first=stored[0],
        last=stored[-1],
    )


async def import_file(
    app: App,
    path: Path,
    source: str | None,
    actor: str,
    *,
    dry_run: bool,
    history_before: str | None = None,
) -> int:
    """``controlbot import``: check and store a CSV file's values, all or nothing.

    Args:
        app: The wired application (its channels connected, for decision notices).
        path: The CSV file (``-``: standard input).
        source: Source name for every row (``--source``); else each row's ``source`` cell,
            else ``import``.
        actor: Who is accountable for the values (a person of the plan).
        dry_run: Check only; store nothing (and say what storing would send).
        history_before: A period: values of periods that ended before it starts are
            history, stored without decisions, approval requests or messages.

    Returns:
        0 when stored (or valid, in a dry run), 1 when refused, 2 for a file that cannot be
        read or a bad ``--source``.
    """
    t = translator_for(app.settings)
    if source is not None and not SOURCE_PATTERN.fullmatch(source):
        print(
            t.gettext(
                "“{source}” is not a source name: use 1–64 letters, digits, “.”, “_”, “:” or “-”.",
                source=source,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        cutoff = Period.parse(history_before) if history_before is not None else None
    except PeriodError:
        print(
            t.gettext(
                "“{period}” is not a period. Use 2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026.",
                period=history_before,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        data = await asyncio.to_thread(_read, path)
    except OSError as exc:
        print(
            t.gettext("Cannot read {path}: {reason}", path=path, reason=os_error_text(exc, t)),
            file=sys.stderr,
        )
        return EXIT_USAGE
    rc = RenderContext(t, app.ctx.plan, app.ctx.timezone)
    try:
        rows, lang = read_csv(data, source or DEFAULT_SOURCE)
    except FileRefused as exc:
        print(file_problem_text(exc.code, exc.params, rc), file=sys.stderr)
        print(t.gettext("Nothing was imported."), file=sys.stderr)
        return EXIT_FAILED
    if source is not None:
        rows = [replace(row, source=source) for row in rows]
    try:
        result = await app.db.run(
            lambda s: import_rows(
                s, app.ctx, rows, lang=lang, actor=actor, dry_run=dry_run, history_before=cutoff
            )
        )
    except ImportRefused as refused:
        for line in refusal_lines(refused.result, rc):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    for line in result_lines(result, rc, dry_run=dry_run):
        print(line)
    for line in notify_lines(result, rc, cutoff, dry_run=dry_run):
        print(line)
    if result.notices:  # decisions and approvals asked
        await tell_others(
            app, result.notices, actor, t.gettext("Not told of the imported values:"), rc
        )
    return EXIT_OK


def notify_lines(
    result: ImportResult, rc: RenderContext, cutoff: Period | None, *, dry_run: bool
) -> list[str]:
    """How many rows were history, and (dry run) whom storing would send what."""
    t = rc.t
    lines = []
    if cutoff is not None:
        lines.append(
            t.ngettext(
                "As history (before {period}: no decisions, no messages): {n} row.",
                "As history (before {period}: no decisions, no messages): {n} rows.",
                result.history,
                period=cutoff,
            )
        )
    if not dry_run:
        return lines
    counts = Counter(
        rc.person(o.to.person_id) if isinstance(o.to, ToPerson) else f"#{o.to.channel_id}"
        for o in result.would_notify
    )
    if not counts:
        lines.append(t.gettext("Storing it would send no message."))
        return lines
    lines.append(
        t.ngettext(
            "Storing it would send {n} message: {recipients}.",
            "Storing it would send {n} messages: {recipients}.",
            len(result.would_notify),
            recipients=", ".join(f"{who} {n}" for who, n in counts.most_common()),
        )
    )
    return lines


def os_error_text(exc: OSError, t: Translator) -> str:
    """Why a file could not be read or written, in the operator's language.

    The operating system's own text (``exc.strerror``) is English whatever the locale, so the
    usual causes are named here; anything rarer keeps the system's words.
    """
    if isinstance(exc, FileNotFoundError):
        return t.gettext("there is no such file or folder")
    if isinstance(exc, PermissionError):
        return t.gettext("permission denied")
    if isinstance(exc, IsADirectoryError):
        return t.gettext("it is a folder, not a file")
    if isinstance(exc, NotADirectoryError):
        return t.gettext("a part of the path is not a folder")
    if exc.errno == errno.ENOSPC:
        return t.gettext("the disk is full")
    return str(exc.strerror or exc)


def _read(path: Path) -> bytes:
    return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()


def refusal_lines(result: ImportResult, rc: RenderContext) -> list[str]:
    """One line per refused row (``Row 4, value: …``; ``Row 4: …`` for the whole row).

    Then that nothing was imported.
    """
    t = rc.t
    lines = []
    for error in result.errors:
        reason = row_error_text(error, rc)
        if error.row == 0:
            lines.append(reason)
        elif error.column == "row":  # the whole row: no column to name
            lines.append(t.gettext("Row {row}: {reason}", row=error.row, reason=reason))
        else:
            lines.append(
                t.gettext(
                    "Row {row}, {column}: {reason}",
                    row=error.row,
                    column=error.column,
                    reason=reason,
                )
            )
    refused = len({e.row for e in result.errors if e.row})
    lines.append(
        t.ngettext(
            "Nothing was imported: {n} row was refused.",
            "Nothing was imported: {n} rows were refused.",
            refused,
        )
        if refused
        else t.gettext("Nothing was imported.")
    )
    return lines


def result_lines(result: ImportResult, rc: RenderContext, *, dry_run: bool) -> list[str]:
    """One line per accepted row, then the counts."""
    t: Translator = rc.t
    words = {
        "stored": t.gettext("stored"),
        "unchanged": t.gettext("unchanged, already stored"),
        "valid": t.gettext("valid"),
    }
    lines = [
        t.gettext(
            "Row {row}: {indicator}, {period}: {value} — {status} ({outcome})",
            row=r.row,
            indicator=rc.indicator(r.indicator_id),
            period=r.period,
            value=rc.value(r.indicator_id, r.value),
            status=rc.status(Status(r.status)),
            outcome=words[r.outcome],
        )
        for r in result.rows
    ]
    if dry_run:
        lines.append(
            t.ngettext(
                "Dry run: {n} row is valid; nothing was stored.",
                "Dry run: {n} rows are valid; nothing was stored.",
                len(result.rows),
            )
        )
    else:
        lines.append(
            t.gettext(
                "Stored: {stored}; unchanged: {unchanged}.",
                stored=result.count("stored"),
                unchanged=result.count("unchanged"),
            )
        )
    return lines
