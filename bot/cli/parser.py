"""This module contains the argparse tree of ``controlbot``; it imports nothing heavy."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot import __version__

PERIODS = "2026-11, 2026-Q4, 2026-W48, 2026-H2 or 2026"
DATES = "dd.mm.yyyy or yyyy-mm-dd"
RUN_ENVIRONMENT = """environment variables:
  CONTROLBOT_DATABASE_URL          SQLAlchemy URL (default: sqlite:///var/controlbot.sqlite3)
  CONTROLBOT_PLAN                  plan file or folder (default: the bundled sample plan)
  CONTROLBOT_TIMEZONE              default time zone (Europe/Riga)
  CONTROLBOT_DEFAULT_LOCALE        lv or en (lv)
  CONTROLBOT_HTTP_HOST, CONTROLBOT_HTTP_PORT
                                   HTTP server for /healthz, /readyz, /metrics, webhooks,
                                   Slack and the API (127.0.0.1, 8080)
  CONTROLBOT_TELEGRAM_TOKEN        turns Telegram on (polling)
  CONTROLBOT_TELEGRAM_WEBHOOK_URL, CONTROLBOT_TELEGRAM_WEBHOOK_SECRET
                                   webhook mode instead of polling
  CONTROLBOT_TELEGRAM_API_URL      Bot API server (https://api.telegram.org/bot)
  CONTROLBOT_SLACK_BOT_TOKEN, CONTROLBOT_SLACK_SIGNING_SECRET
                                   turn Slack on (HTTP events)
  CONTROLBOT_SLACK_APP_TOKEN       Socket Mode instead of HTTP
  CONTROLBOT_SLACK_API_URL         Slack Web API (https://slack.com/api/)
  CONTROLBOT_SMTP_HOST, CONTROLBOT_SMTP_FROM
                                   turn e-mail on (notifications only)
  CONTROLBOT_SMTP_PORT             587 with starttls, 465 with tls, 25 with none
  CONTROLBOT_SMTP_SECURITY         starttls, tls or none (starttls)
  CONTROLBOT_SMTP_USERNAME, CONTROLBOT_SMTP_PASSWORD
                                   login (none when unset)
  CONTROLBOT_SMTP_TIMEOUT          seconds per step of the SMTP dialogue (30)
  CONTROLBOT_SMTP_CA_FILE          PEM file of the authorities to trust (the system's)
  CONTROLBOT_API_TOKEN             turns POST /api/measurements on
  CONTROLBOT_INBOUND_HOLD_MS       ms an update over HTTP waits for an earlier one (200)
  CONTROLBOT_WEB_BASE_URL          turns the web view on (its public address)
  CONTROLBOT_WEB_SECRET            signs its session cookies (random per process)
  CONTROLBOT_METRICS_TOKEN         bearer token GET /metrics then wants (default: open)
  CONTROLBOT_LOG_LEVEL             DEBUG, INFO, WARNING or ERROR (INFO for run's own logs)
  CONTROLBOT_LOG_FORMAT            text or json: one JSON object per line (text)
See README.md, "Chat platforms", "E-mail", "The web view" and "Running in production"."""


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree of every command (light imports only, so ``--help`` is quick)."""
    parser = argparse.ArgumentParser(
        prog="controlbot",
        description="Control of implemented activities (PU3-3) over chat.",
    )
    parser.add_argument("--version", action="version", version=f"controlbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="plan commands").add_subparsers(
        dest="plan_command", required=True
    )
    check = plan.add_parser("check", help="validate a control plan")
    check.add_argument("path", nargs="?", type=Path, help="plan file or folder")
    apply = plan.add_parser(
        "apply", help="show what a plan changes, and make it the plan in force"
    )
    apply.add_argument("path", nargs="?", type=Path, help="plan file or folder")
    apply.add_argument("--dry-run", action="store_true", help="only show what would change")
    db = sub.add_parser("db", help="database commands").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="migrate the database to the newest schema")
    remind = sub.add_parser("remind", help="open a control round and remind")
    remind.add_argument("activity", help="the activity's id in the plan (a service or resource)")
    remind.add_argument("--period", help=f"{PERIODS} (default: the last closed period)")
    summary = sub.add_parser("summary", help="post a team channel's summary")
    summary.add_argument("channel", help="the team or roll-up channel's id in the plan")
    summary.add_argument("--period", help=f"{PERIODS} (default: the last closed period)")
    schedule = sub.add_parser("schedule", help="list every planned send")
    schedule.add_argument(
        "--from", dest="first", type=_date, help=f"first local date, {DATES} (default: today)"
    )
    schedule.add_argument(
        "--to", dest="last", type=_date, help=f"last local date, {DATES} (default: +30 days)"
    )
    schedule.add_argument("--activity", help="only this activity (its id in the plan)")
    schedule.add_argument(
        "--format", choices=("table", "json"), default="table", help="output (default: table)"
    )
    sub.add_parser(
        "run",
        help="run the bot: channels and the scheduler, until SIGTERM",
        description="Run the bot: Telegram and Slack (those whose tokens are set), the HTTP\n"
        "server and the scheduler, until SIGTERM or Ctrl+C. Settings come from the\n"
        "environment only.",
        epilog=RUN_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hist = sub.add_parser("history", help="an indicator's last values")
    hist.add_argument("indicator", help="the indicator's id in the plan")
    hist.add_argument("--count", type=int, default=6, help="how many values (default: 6)")
    away = sub.add_parser("away", help="record an absence: reminders held, a deputy measures")
    away.add_argument("person", help="the person's id in the plan")
    away.add_argument("starts", type=_date, help=f"first day away, {DATES}")
    away.add_argument("ends", type=_date, help=f"last day away, {DATES}")
    record = sub.add_parser(
        "deliveries",
        help="the record of every message: who, what, queued, delivered, attempts, errors",
    )
    record.add_argument("--person", help="only messages to this person or team channel (plan id)")
    record.add_argument(
        "--status",
        metavar="STATE",
        help="only messages in this state: queued, sending, delivered, undeliverable or "
        "expired, or the state as the table words it (e.g. nogādāta)",
    )
    record.add_argument(
        "--from", dest="first", type=_date, help=f"queued on or after this local date, {DATES}"
    )
    record.add_argument(
        "--to", dest="last", type=_date, help=f"queued on or before this local date, {DATES}"
    )
    record.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output (default: table)",
    )
    console = sub.add_parser("console", help="chat on the console")
    console.add_argument("--as", dest="person", help="person id to start as")
    invite = sub.add_parser("invite", help="print one-time Telegram links that enrol people")
    invite.add_argument("person", nargs="?", help="person id (or --all)")
    invite.add_argument("--all", action="store_true", help="one link for every person")
    invite.add_argument(
        "--format", choices=("text", "csv"), default="text", help="output (default: text)"
    )
    invite.add_argument("--days", type=int, default=14, help="days the links work (1-90)")
    invite.add_argument(
        "--bot-username", help="the bot's @username (default: asked from Telegram with getMe)"
    )
    person = sub.add_parser("person", help="people commands").add_subparsers(
        dest="person_command", required=True
    )
    erase = person.add_parser("erase", help="erase a leaver's personal data (history kept)")
    erase.add_argument("person", help="the person's id (already removed from the plan)")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = sub.add_parser(
        "export", help="write measurements, statuses, decisions and actions to a file"
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument(
        "--period",
        help=f"{PERIODS}: every stored period within it, e.g. 2025 = its months, quarters "
        "and the year (default: the latest period of each frequency)",
    )
    which.add_argument(
        "--from", dest="first", help="from the start of this period (with or without --to)"
    )
    export.add_argument("--to", dest="last", help="to the end of this period")
    export.add_argument(
        "--format", choices=("csv", "xlsx", "json"), required=True, help="file format"
    )
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        help="file to write (- for stdout); written whole or not at all",
    )
    export.add_argument("--force", action="store_true", help="replace an existing --out file")
    export.add_argument(
        "--csv-variant",
        choices=("excel", "lv"),
        default="excel",
        help="excel: comma and decimal point; lv: semicolon and decimal comma",
    )
    export.add_argument("--lang", choices=("lv", "en"), help="language of the label columns")
    imp = sub.add_parser("import", help="store the values of a CSV file, all or nothing")
    imp.add_argument("file", type=Path, help="CSV file (either variant; - for stdin)")
    imp.add_argument("--dry-run", action="store_true", help="check only; store nothing")
    imp.add_argument("--source", help="source name for every row (default: the file's column)")
    imp.add_argument("--as", dest="person", help="person accountable (default: first admin)")
    imp.add_argument(
        "--history-before",
        metavar="PERIOD",
        help="load the values of periods that ended before this one (e.g. 2026-01) as "
        "history: no improvement decisions, no approval requests, no messages",
    )
    demo = sub.add_parser("demo", help="run the scripted demo round")
    demo.add_argument(
        "--database",
        type=Path,
        default=Path("var/demo.sqlite3"),
        help="SQLite file the demo makes afresh (default: var/demo.sqlite3); "
        "an existing file that is not a demo database is refused",
    )
    return parser


def _date(text: str) -> date:
    from workflows.forms.parsing import parse_date

    parsed = parse_date(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(f"{text!r}: expected {DATES}")
    return parsed
