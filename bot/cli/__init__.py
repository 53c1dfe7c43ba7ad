"""This package contains the ``controlbot`` command line.

Commands:
    plan check [PATH]            validate a plan and print an overview (exit 1 if invalid)
    plan apply [PATH] [--dry-run]  show what a plan changes; make it the plan in force
    db upgrade                   migrate the database to the newest schema
    remind ACTIVITY [--period P] open a control round and remind whoever measures
    summary CHANNEL [--period P] post a team channel's summary
    schedule [--from D] [--to D] list every planned send (table or JSON)
    run                          the long-running bot: channels and the scheduler
    away PERSON FROM TO          record an absence (reminders held, a deputy measures)
    history INDICATOR [--count]  an indicator's last values with their status
    console [--as PERSON]        chat on the console as a person of the plan
    invite PERSON | --all        one-time Telegram deep links that enrol people
    person erase PERSON [--yes]  erase a leaver's personal data; history kept under a pseudonym
    export --format F --out FILE measurements, statuses, decisions and actions as CSV/XLSX/JSON
    import FILE [--dry-run]      store a CSV file's values, all or nothing
    demo                         one complete scripted control round on a fresh database

Layout: ``parser`` builds the argparse tree from light imports only, so ``--help`` and
argument errors answer at once; ``entry.main`` parses, then imports ``boundary`` (settings and
the error boundary) and ``routes``, which imports each command's module when it runs.
"""

from bot.cli.entry import main

__all__ = ["main"]
