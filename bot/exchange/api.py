"""This module contains ``POST /api/measurements``: values from monitoring systems.

The endpoint is on the bot's HTTP server only when ``CONTROLBOT_API_TOKEN`` is set (otherwise
404). A request carries ``Authorization: Bearer <token>`` (compared in constant time; missing
or wrong: 401) and a JSON body of at most 1 MiB (413 beyond)::

    {"source": "zabbix", "lang": "en", "dry_run": false,
     "rows": [{"indicator": "dvs-availability", "period": "2026-10", "value": 99.95,
               "activity": "…", "comment": "…", "source": "…"}]}

Values are JSON numbers (exact) or texts read like chat answers in ``lang`` (``lv``: decimal
comma). Rows are validated and stored all or nothing, exactly like ``controlbot import``:
200 with each row's outcome; 422 with every refused row (row numbers from 1) and a translated
reason; 409 when the only refusals are values already stored differently; 400 for a body
that is not such JSON. Decisions the values open are delivered like any other.

An ``Idempotency-Key`` header (at most 150 printable characters) makes a retry safe: the
first request with the key is recorded in the inbox with its answer, in the transaction that
stores the values; a repeat with the same key and body gets that answer again (header
``Idempotent-Replayed: true``) and has no second effect, also after a restart; the same key
with another body is refused (422 ``idempotency_key_reused``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from decimal import Decimal
from typing import Any

from aiohttp import web
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import inbox
from bot.http import HttpServer
from bot.i18n import Lang, as_lang, translator
from bot.outbox import Outbox, Queued
from bot.render.context import RenderContext
from bot.render.exchange import row_error_text
from storage.db import Database
from workflows.context import Context
from workflows.exchange import ImportRefused, ImportResult, IncomingRow, import_rows

_LOGGER = logging.getLogger(__name__)

PATH = "/api/measurements"
MAX_BODY = 1024**2
"""Largest accepted body, in bytes (the HTTP server's own limit too)."""

_TEXT_FIELDS = ("indicator", "period", "activity", "comment", "source")


class BadRequest(ValueError):
    """A body that is not the documented JSON; the message says what is wrong (English)."""


class MeasurementsApi:
    """The measurement endpoint of one running bot.

    Args:
        ctx: Plan, clock and calendar.
        db: The database.
        outbox: Delivers the decisions that imported values open.
        lang: Language of the messages when the request asks for none.
        token: The bearer token every request must carry.
    """

    def __init__(self, ctx: Context, db: Database, outbox: Outbox, lang: Lang, token: str) -> None:
        self.ctx = ctx
        self.db = db
        self.outbox = outbox
        self.lang = lang
        self._token = token.encode("utf-8")

    def mount(self, server: HttpServer) -> None:
        """Serve ``POST /api/measurements`` on ``server`` (before it starts)."""
        server.add_post(PATH, self.handle)

    def _authorised(self, request: web.Request) -> bool:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), self._token)

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one request (see the module docstring for the statuses)."""
        if not self._authorised(request):
            return web.json_response(
                {"status": "unauthorized"},
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="controlbot"'},
            )
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _too_large()
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _too_large()
        lang = as_lang(_first_language(request)) or self.lang
        try:
            document = _parse(body)
            lang = as_lang(str(document.get("lang") or "")) or lang
            rows, dry_run = _rows(document)
        except BadRequest as exc:
            error = {"row": 0, "column": "row", "code": "bad_request", "message": str(exc)}
            return web.json_response({"status": "refused", "errors": [error]}, status=400)
        ctx = self.ctx
        actor = ctx.plan.plan.admins[0]
        given = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(given) > MAX_KEY or not given.isprintable():
            error = {"row": 0, "column": "row", "code": "bad_request", "message": "bad key"}
            return web.json_response({"status": "refused", "errors": [error]}, status=400)
        key = f"api:{given}" if given and not dry_run else None
        digest = hashlib.sha256(body).hexdigest()

        def work(session: Session) -> tuple[dict[str, Any], Queued | None, ImportResult | None]:
            if key is not None and (earlier := inbox.replayed(session, key)) is not None:
                if earlier.payload != digest:  # the same key for another body
                    return {"status": "key_reused"}, None, None
                return json.loads(earlier.result or "{}"), None, None
            result = import_rows(session, ctx, rows, lang=lang, actor=actor, dry_run=dry_run)
            answer = _accepted(result, dry_run=dry_run)
            queued = self.outbox.enqueue_reported(session, list(result.notices), actor, None)
            if key is not None:
                inbox.record_request(
                    session, ctx, key=key, sender=actor, digest=digest, result=json.dumps(answer)
                )
            return answer, queued, result

        try:
            try:
                answer, queued, result = await self.db.run(work)
            except IntegrityError:  # the same key applied meanwhile (another replica)
                answer, queued, result = await self.db.run(work)  # now its replay
        except ImportRefused as refused:
            return self._refused(refused.result, lang)
        if answer.get("status") == "key_reused":
            error = {"row": 0, "column": "row", "code": "idempotency_key_reused"}
            return web.json_response({"status": "refused", "errors": [error]}, status=422)
        if result is None:  # a repeated request: the first one's answer, no second effect
            return web.json_response(answer, headers={"Idempotent-Replayed": "true"})
        _LOGGER.info(
            "API import: %d stored, %d unchanged",
            result.count("stored"),
            result.count("unchanged"),
        )
        if queued is not None:
            await self.outbox.send_queued(queued)
        return web.json_response(answer)

    def _refused(self, result: ImportResult, lang: Lang) -> web.Response:
        rc = RenderContext(translator(lang), self.ctx.plan, self.ctx.timezone)
        errors = [
            {
                "row": e.row,
                "column": e.column,
                "code": e.code,
                "message": row_error_text(e, rc),
            }
            for e in result.errors
        ]
        status = 409 if result.conflict_only else 422
        return web.json_response(
            {"status": "refused", "stored": 0, "errors": errors}, status=status
        )


IDEMPOTENCY_HEADER = "Idempotency-Key"
"""A client's key for one request: a repeat with the same key has no second effect."""
MAX_KEY = 150


def _first_language(request: web.Request) -> str:
    """The first tag of ``Accept-Language`` (``lv-LV,lv;q=0.9`` → ``lv-LV``)."""
    return request.headers.get("Accept-Language", "").split(",")[0].split(";")[0].strip()


def _too_large() -> web.Response:
    return web.json_response({"status": "too_large", "limit": MAX_BODY}, status=413)


def _accepted(result: ImportResult, *, dry_run: bool) -> dict[str, Any]:
    return {
        "status": "valid" if dry_run else "stored",
        "stored": result.count("stored"),
        "unchanged": result.count("unchanged"),
        "rows": [
            {
                "row": r.row,
                "activity": r.activity_id,
                "indicator": r.indicator_id,
                "period": r.period,
                "value": format(r.value, "f"),
                "choice": r.choice,
                "status": r.status,
                "target_met": r.target_met,
                "source": r.source,
                "outcome": r.outcome,
            }
            for r in result.rows
        ],
    }


def _parse(body: bytes) -> dict[str, Any]:
    try:
        # a byte-order mark is allowed (RFC 8259 §8.1); numbers stay exact, however long, so
        # that a huge one is refused as too large rather than as "not JSON"
        document = json.loads(body.decode("utf-8-sig"), parse_float=Decimal, parse_int=Decimal)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the body is not JSON in UTF-8") from None
    if not isinstance(document, dict):
        raise BadRequest("the body must be a JSON object with a list of rows")
    return document


def _text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be a text")
    return value


def _rows(document: dict[str, Any]) -> tuple[list[IncomingRow], bool]:
    """The rows of a request body, and whether it is a dry run.

    Raises:
        BadRequest: If a field has the wrong JSON type.
    """
    rows = document.get("rows")
    if not isinstance(rows, list):
        raise BadRequest("rows must be a list of objects")
    dry_run = document.get("dry_run", False)
    if not isinstance(dry_run, bool):
        raise BadRequest("dry_run must be true or false")
    source = _text(document.get("source"), "source")
    out: list[IncomingRow] = []
    for number, item in enumerate(rows, start=1):
        if not isinstance(item, dict):
            raise BadRequest(f"rows[{number}] must be an object")
        texts = {name: _text(item.get(name), f"rows[{number}].{name}") for name in _TEXT_FIELDS}
        value = item.get("value")
        if isinstance(value, bool):  # a yes/no indicator's answer as JSON true/false
            value = "yes" if value else "no"
        if not isinstance(value, int | Decimal | str):
            raise BadRequest(f"rows[{number}].value must be a number, a text or true/false")
        out.append(
            IncomingRow(
                row=number,
                indicator=texts["indicator"],
                period=texts["period"],
                value=Decimal(value) if isinstance(value, int) else value,
                activity=texts["activity"],
                comment=texts["comment"],
                source=texts["source"] or source,
            )
        )
    return out, dry_run
