"""This module contains :class:`Metrics`: what ``GET /metrics`` tells Prometheus.

Each application has its own :class:`~prometheus_client.CollectorRegistry` (several apps in
one test process do not mix their counts). Counters and histograms count what this process
did since it started; Prometheus sums them over the replicas. The gauges that describe the
shared database — outbox depth and open forms — are read from it at each scrape, with one
``GROUP BY`` over the open outbox rows (the ``status`` index) and one count of active forms,
so every replica reports the same numbers.

Each metric is explained in README.md ("Running in production", "Health, metrics and logs").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import __version__
from bot.health import ROLES, RUNS_SWEEPS
from storage.messages import OutboxMessage
from storage.models import FormSession
from workflows.notices.outbox import OPEN

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 86400)
"""Seconds: a reply within a second, a fan-out at the platforms' pace, retries for hours."""
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def shared_state(session: Session, now: datetime) -> tuple[dict[str, int], int]:
    """Open outbox rows by status (one ``GROUP BY``) and the forms in progress at ``now``."""
    depth = {status: 0 for status in OPEN}
    rows = session.exec(
        select(OutboxMessage.status, func.count())
        .where(col(OutboxMessage.status).in_(OPEN))
        .group_by(OutboxMessage.status)
    ).all()
    depth.update({status: int(count) for status, count in rows})
    forms = session.exec(
        select(func.count())
        .select_from(FormSession)
        .where(col(FormSession.status) == "active", col(FormSession.expires_at) > now)
    ).one()
    return depth, int(forms)


class Metrics:
    """The process's metrics in a registry of their own.

    Attributes:
        registry: What ``/metrics`` renders.
    """

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.sends = Counter(
            "controlbot_sends",
            "Platform calls by outcome",
            ["platform", "outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "controlbot_delivery_latency_seconds",
            "Queued to delivered",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.rate_limits = Counter(
            "controlbot_rate_limited",
            "429 answers (Retry-After)",
            ["platform"],
            registry=registry,
        )
        self.inbound = Counter(
            "controlbot_inbound_events",
            "Inbound events recorded",
            ["platform"],
            registry=registry,
        )
        self.sweeps = Histogram(
            "controlbot_sweep_duration_seconds",
            "One scheduler sweep",
            buckets=SWEEP_BUCKETS,
            registry=registry,
        )
        self.depth = Gauge(
            "controlbot_outbox_depth", "Open outbox rows", ["state"], registry=registry
        )
        self.forms = Gauge("controlbot_open_forms", "Forms in progress", registry=registry)
        self.leader = Gauge(
            "controlbot_leader", "1 while this process runs sweeps and sender", registry=registry
        )
        self.release = Info("controlbot_release", "This process's release", registry=registry)
        self.release.info({"version": __version__})
        self.roles = Gauge(
            "controlbot_role", "1 for this process's role", ["role"], registry=registry
        )

    def sent(self, platform: str, outcome: str) -> None:
        """Count one platform call's ``outcome`` (delivered, refused, retry, failed)."""
        self.sends.labels(platform, outcome).inc()

    def delivered(self, latency: timedelta) -> None:
        """Observe a row's time from queued to delivered."""
        self.latency.observe(max(latency.total_seconds(), 0.0))

    def rate_limited(self, platform: str, _retry_after: float | None = None) -> None:
        """Count a 429 answer of ``platform``."""
        self.rate_limits.labels(platform).inc()

    def received(self, platform: str) -> None:
        """Count a new inbound event of ``platform``."""
        self.inbound.labels(platform).inc()

    def swept(self, seconds: float) -> None:
        """Observe one sweep's duration."""
        self.sweeps.observe(seconds)

    def render(self, depth: dict[str, int], forms: int, role: str) -> bytes:
        """The Prometheus text exposition, with the shared state read at this scrape.

        Args:
            depth: Open outbox rows by status (:func:`shared_state`).
            forms: Forms in progress.
            role: This process's role (``leader``, ``follower``, ``single``).
        """
        for state, count in depth.items():
            self.depth.labels(state).set(count)
        self.forms.set(forms)
        self.leader.set(1.0 if role in RUNS_SWEEPS else 0.0)
        for known in ROLES:
            self.roles.labels(known).set(1.0 if known == role else 0.0)
        return generate_latest(self.registry)
