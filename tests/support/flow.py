"""Helpers for tests that drive the dispatcher: picking notices and reading stored rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlmodel import SQLModel, col, select

from storage.db import Database
from storage.models import AuditEntry
from workflows.notices import Outgoing, Problem, ToChannel, ToPerson

N = TypeVar("N")
M = TypeVar("M", bound=SQLModel)


def notices(items: Iterable[Outgoing], kind: type[N], to: str | None = None) -> list[N]:
    """The notices of type ``kind`` in ``items``, optionally only those for ``to``.

    ``to`` is a person id or a channel id.
    """
    out: list[N] = []
    for item in items:
        if not isinstance(item.notice, kind):
            continue
        if to is not None and target(item) != to:
            continue
        out.append(item.notice)
    return out


def only(items: Iterable[Outgoing], kind: type[N], to: str | None = None) -> N:
    """The single notice of type ``kind`` (for ``to``); fails if there is not exactly one."""
    found = notices(items, kind, to)
    assert len(found) == 1, f"expected one {kind.__name__}, got {found!r}"
    return found[0]


def target(item: Outgoing) -> str:
    """The person or channel id an item is addressed to."""
    if isinstance(item.to, ToPerson):
        return item.to.person_id
    assert isinstance(item.to, ToChannel)
    return item.to.channel_id


def problem_codes(items: Iterable[Outgoing]) -> list[str]:
    """The codes of every :class:`Problem` in ``items``."""
    return [p.code for p in notices(items, Problem)]


def kinds(items: Sequence[Outgoing]) -> list[tuple[str, str]]:
    """``(recipient, notice type)`` of each item, for readable assertion failures."""
    return [(target(i), type(i.notice).__name__) for i in items]


def rows(db: Database, model: type[M], **where: Any) -> list[M]:
    """Every row of ``model`` (matching ``where`` equalities), ordered by primary key."""

    def work(session: Any) -> list[M]:
        query = select(model)
        for name, value in where.items():
            query = query.where(col(getattr(model, name)) == value)
        pk = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
        return list(session.exec(query.order_by(pk)).all())

    return db.transaction(work)


def audit(db: Database, action: str | None = None) -> list[AuditEntry]:
    """The audit entries (with ``action``), oldest first."""
    if action is None:
        return rows(db, AuditEntry)
    return rows(db, AuditEntry, action=action)
