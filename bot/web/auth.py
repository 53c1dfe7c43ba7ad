"""This module contains the web view's session cookie, CSRF tokens and security headers.

The cookie holds a random session token and its HMAC-SHA256 under the web secret
(``token.signature``); the database keeps only the token's digest, so signing out or leaving
the plan ends the session at once. Signing with :mod:`hmac` from the standard library is all
this needs: the cookie carries no data to serialise, only a token to authenticate. Every
state-changing request carries a CSRF token derived from the session token with the same key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

SESSION_COOKIE = "controlbot_session"
LANG_COOKIE = "controlbot_lang"
COOKIE_PATH = "/web"
CSRF_FIELD = "csrf"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Sent with every page: no scripts at all, no framing, no referrer to other sites (a sign-in
link in a URL must not leak), nothing cached on a shared computer."""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, as a browser sends it in ``Origin``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Signer:
    """Signs session tokens and derives CSRF tokens with one key.

    Args:
        key: The web secret (``CONTROLBOT_WEB_SECRET``); ``None``: a random key for this
            process only.
    """

    def __init__(self, key: str | None) -> None:
        self._key = key.encode() if key is not None else secrets.token_bytes(32)

    def _mac(self, purpose: str, token: str) -> str:
        digest = hmac.new(self._key, f"{purpose}:{token}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def cookie_value(self, token: str) -> str:
        """``token.signature`` for the session cookie."""
        return f"{token}.{self._mac('session', token)}"

    def token_of(self, cookie: str | None) -> str | None:
        """The session token of a cookie whose signature holds, else ``None``."""
        if not cookie or "." not in cookie:
            return None
        token, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._mac("session", token)):
            return None
        return token

    def csrf(self, token: str) -> str:
        """The CSRF token of a session (the same for the session's whole life)."""
        return self._mac("csrf", token)

    def csrf_ok(self, token: str, sent: str | None) -> bool:
        """Whether ``sent`` is the session's CSRF token."""
        return sent is not None and hmac.compare_digest(sent, self.csrf(token))


def set_session_cookie(
    response: web.StreamResponse, value: str, expires_at: datetime, now: datetime
) -> None:
    """The session cookie: signed, HttpOnly, Secure, SameSite=Lax, until the session ends."""
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max(0, int((expires_at - now).total_seconds())),
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="Lax",
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    """Tell the browser to forget the session cookie."""
    response.del_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="Lax"
    )


def set_lang_cookie(response: web.StreamResponse, lang: str) -> None:
    """Remember the language chosen in the web view (a year)."""
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="Lax",
    )
