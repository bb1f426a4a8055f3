"""Anonymous identities: each browser gets a random id in a signed, HttpOnly cookie.

Pure ASGI middleware (not ``BaseHTTPMiddleware``), so streaming responses and disconnect
detection are untouched. The identity is put in ``scope["state"]["owner_id"]``.
"""

from __future__ import annotations

import uuid
from http.cookies import SimpleCookie

from itsdangerous import BadSignature, Signer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE_NAME", "IdentityMiddleware"]

COOKIE_NAME = "interview_identity"
COOKIE_MAX_AGE = 365 * 24 * 3600
_KNOWN_HEADERS = 10_000  # Cookie headers remembered with what they verified to
_ABSENT = object()  # a Cookie header without the identity cookie


class IdentityMiddleware:
    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool = False) -> None:
        self.app = app
        self.signer = Signer(secret_key, salt="anonymous-identity")
        self.secure = secure
        self._known: dict[bytes, str | object | None] = {}

    def _read(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", []):
            if name != b"cookie":
                continue
            # A browser sends the same Cookie header on every request: parsed and verified once.
            if value in self._known:
                owner_id = self._known[value]
            else:
                owner_id = self._known[value] = self._verify(value)
                if len(self._known) > _KNOWN_HEADERS:
                    del self._known[next(iter(self._known))]
            if owner_id is not _ABSENT:
                return owner_id
        return None

    def _verify(self, value: bytes) -> str | object | None:
        """The owner id a Cookie header carries: ``None`` for a malformed header or a bad
        signature (a fresh identity then), ``_ABSENT`` when it has no identity cookie (the
        next Cookie header, if any, may)."""
        cookie = SimpleCookie()
        try:
            cookie.load(value.decode("latin-1"))
        except Exception:
            return None
        morsel = cookie.get(COOKIE_NAME)
        if morsel is None:
            return _ABSENT
        try:
            return self.signer.unsign(morsel.value).decode()
        except BadSignature:
            return None

    def _set_cookie_header(self, owner_id: str) -> tuple[bytes, bytes]:
        value = self.signer.sign(owner_id).decode()
        parts = [
            f"{COOKIE_NAME}={value}",
            "Path=/",
            f"Max-Age={COOKIE_MAX_AGE}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if self.secure:
            parts.append("Secure")
        return b"set-cookie", "; ".join(parts).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        owner_id = self._read(scope)
        is_new = owner_id is None
        if owner_id is None:
            owner_id = uuid.uuid4().hex
        scope.setdefault("state", {})["owner_id"] = owner_id

        async def send_with_cookie(message: Message) -> None:
            if is_new and message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], self._set_cookie_header(owner_id)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)
