"""The demo: one whole scripted round through the real dispatcher, stored in the database."""

from __future__ import annotations

import io
from pathlib import Path

from sqlmodel import Session, select

from bot.demo import run_demo
from bot.settings import Settings
from storage.models import AuditEntry, ImprovementDecision, Measurement


async def test_demo_runs_the_whole_round_and_stores_it(tmp_path: Path) -> None:
    out = io.StringIO()
    app = await run_demo(
        Settings(), database=tmp_path / "demo.sqlite3", out=out, stdin=io.StringIO("")
    )
    text = out.getvalue()
    try:
        # reminders went out, in each person's language
        assert "[DM → Anna Ozola] Atgādinājums: Dzīvesvietas deklarēšana" in text
        assert "[DM → Pēteris Liepa] Reminder: Declaration of place of residence" in text
        # the mistyped value was refused and asked again; the decimal comma was understood
        assert "“6O,5” nav skaitlis" in text
        # the critical value opened a decision, announced in the team channel
        assert "[#pk-dzivesvieta] Nepieciešams pilnveides lēmums Nr. 1" in text
        # someone else may not decide
        assert "Only Jānis Bērziņš can take decision no. 1" in text
        # the summary and the approved decision reached the channel
        assert "[#pk-dzivesvieta] Kopsavilkums par periodu “2026. gada oktobris”" in text
        assert "[#pk-dzivesvieta] Lēmums Nr. 1 apstiprināts" in text
        assert "Traceback" not in text
        with Session(app.db.engine) as session:
            values = {
                m.indicator_id: m
                for m in session.exec(select(Measurement).where(Measurement.period == "2026-10"))
            }
            assert str(values["dd-avg-processing"].value) == "0.9"
            assert str(values["dd-within-sla"].value) == "88.5"
            assert values["dd-within-sla"].status == "critical"
            assert str(values["dd-e-share"].value) == "58.5"
            decision = session.exec(select(ImprovementDecision)).one()
            assert decision.status == "approved"
            assert decision.owner_id == "anna-ozola"
            actions = {a.action for a in session.exec(select(AuditEntry))}
            assert {
                "round.opened",
                "measurement.submitted",
                "decision.opened",
                "decision.refused",
                "decision.approved",
                "summary.posted",
            } <= actions
    finally:
        app.close()


async def test_demo_reads_more_lines_from_stdin_and_ends_at_eof(tmp_path: Path) -> None:
    out = io.StringIO()
    app = await run_demo(
        Settings(),
        database=tmp_path / "demo.sqlite3",
        out=out,
        stdin=io.StringIO("/as anna-ozola\n/pending\n"),
        script=(),
    )
    app.close()
    text = out.getvalue()
    assert "anna-ozola> /pending" in text
    assert "[DM → Anna Ozola] Jūs gaida" in text


async def test_issue15_demo_e_mails_nobody_even_with_smtp_set(tmp_path: Path) -> None:
    from tests.support.fake_smtp import MailHandler, start_smtp

    server = await start_smtp(MailHandler())
    settings = Settings.model_validate(
        {"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": "none"}
        | {"smtp_from": "robots@parauga-novads.example"}
    )
    out = io.StringIO()
    app = await run_demo(
        settings, database=tmp_path / "demo.sqlite3", out=out, stdin=io.StringIO("")
    )
    try:
        assert "email" not in app.platforms and server.handler.received == []
        assert "[DM → Anna Ozola] Atgādinājums: Dzīvesvietas deklarēšana" in out.getvalue()
    finally:
        app.close()
        await server.close()
