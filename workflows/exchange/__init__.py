"""This package contains the exchange of measurements with files and monitoring systems.

``outgoing`` gathers what an export holds (measurements with their status, target and
thresholds, and the improvement decision and action each one opened); ``rows`` checks each
imported row on its own, ``incoming`` against the database, and stores them all-or-nothing;
``record`` is the one place where an imported measurement is created. Formats (CSV, XLSX,
JSON) and transports (the command line, the HTTP API) live in ``bot.exchange``.
"""

from workflows.exchange.incoming import import_rows
from workflows.exchange.outgoing import (
    DecisionFacts,
    ExportRow,
    export_periods,
    gather,
    stored_periods,
)
from workflows.exchange.rows import (
    ImportRefused,
    ImportResult,
    IncomingRow,
    RowError,
    RowOutcome,
)

__all__ = [
    "DecisionFacts",
    "ExportRow",
    "ImportRefused",
    "ImportResult",
    "IncomingRow",
    "RowError",
    "RowOutcome",
    "export_periods",
    "gather",
    "import_rows",
    "stored_periods",
]
