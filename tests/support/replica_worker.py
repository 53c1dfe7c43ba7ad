"""``controlbot run`` as one replica of a test: the real command, with a short outbox lease.

``python -m tests.support.replica_worker`` reads the usual ``CONTROLBOT_*`` variables, and
``CONTROLBOT_TEST_LEASE_SECONDS`` (the outbox lease, 30 s in production) so that rows a killed
replica had claimed are taken up again within the test's time. Role changes are logged.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import timedelta

from bot.cli import main
from workflows.notices import outbox as queue

if __name__ == "__main__":
    queue.LEASE = timedelta(seconds=float(os.environ.get("CONTROLBOT_TEST_LEASE_SECONDS", "30")))
    logging.getLogger("bot.leadership").setLevel(logging.INFO)
    sys.exit(main(["run"]))
