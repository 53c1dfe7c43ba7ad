"""This module contains the chart palette: Okabe-Ito colours plus shapes and hatching.

Okabe & Ito's "Color Universal Design" palette stays distinguishable for the common kinds
of colour blindness; every status also has its own marker shape and every zone its own
hatching, so a chart printed in greyscale still reads (issue 7).
"""

from __future__ import annotations

from workflows.rounds.evaluation import Status

BLUE = "#0072B2"
"""Okabe-Ito blue: the values line."""
GREEN = "#009E73"
"""Okabe-Ito bluish green: OK, on time, the target."""
ORANGE = "#E69F00"
"""Okabe-Ito orange: warning, late."""
VERMILLION = "#D55E00"
"""Okabe-Ito vermillion: critical, not answered."""
GREY = "#999999"
"""Neutral grey: no data."""
INK = "#222222"
"""Text, marker edges and the target line."""

STATUS_COLOUR = {Status.OK: GREEN, Status.WARNING: ORANGE, Status.CRITICAL: VERMILLION}
STATUS_MARKER = {Status.OK: "o", Status.WARNING: "^", Status.CRITICAL: "X"}
"""Circle, triangle, cross: the shapes of the text marks ✅ ⚠️ ❌."""
WARNING_HATCH = "//"
CRITICAL_HATCH = "xx"
NO_DATA_HATCH = ".."
