"""The web app's guards, as one ASGI middleware in front of every route.

- **Host header** (DNS rebinding): a page on a hostile domain that resolves to 127.0.0.1 sends its own name as
  Host; only loopback names, IP literals and the ``--host`` the server was started with are answered.
- **Token** when bound beyond loopback: ``?token=`` once (sets an HttpOnly, SameSite=Strict cookie), then the cookie.
- **CSRF**: every state-changing request (POST) must come from our own origin (``Origin``/``Sec-Fetch-Site``,
  checked before the body is read) and carry the server's CSRF token (form field ``csrf`` or header
  ``X-CSRF-Token``; the routes compare it, since a form field is only known after parsing).
- **Size limit** on request bodies, by Content-Length and counted while streaming (chunked bodies too).
- **Headers** on every response: a strict Content-Security-Policy (no inline script or style, nothing from
  elsewhere), no sniffing, no framing, no referrer to other sites, no caching of pages.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # no address leaves the app; own forms keep a real Origin header
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
TOKEN_COOKIE = "koppel_token"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """The name part of a Host header value (``[::1]:8765`` → ``::1``, ``Example:80`` → ``example``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass
class Guard:
    """What the server allows: the host it was bound to, whether a token is needed, the secrets of this run."""

    bind_host: str = "127.0.0.1"
    max_body: int = 1 << 30
    token: str | None = None  # required when set (binding beyond loopback)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def host_allowed(self, header: str) -> bool:
        name = host_name(header)
        if not name:
            return False
        # a rebinding attack needs a domain name of the attacker's; IP literals and loopback names are safe
        return is_loopback(name) or _is_ip(name) or name == self.bind_host.lower()

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given).encode(), self.csrf.encode())

    def token_ok(self, given: str | None) -> bool:
        return self.token is None or (bool(given) and hmac.compare_digest(str(given).encode(), self.token.encode()))


class BodyTooLarge(Exception):
    pass


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookie(headers: dict[str, str], name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no cookie
        return None
    return jar[name].value if name in jar else None


class GuardMiddleware:
    """Applies :class:`Guard` to every HTTP request and the security headers to every response."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        guard = self.guard

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if not guard.host_allowed(headers.get("host", "")):
            await _plain(send_with_headers, 400, "Host niet toegestaan / host not allowed")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if guard.token is not None:
            given = (query.get("token") or [None])[0]
            if given is not None and guard.token_ok(given) and scope["method"] == "GET":
                rest = {k: v for k, v in query.items() if k != "token"}
                location = scope["path"] + ("?" + urlencode(rest, doseq=True) if rest else "")
                cookie = f"{TOKEN_COOKIE}={guard.token}; HttpOnly; SameSite=Strict; Path=/"
                await _redirect(send_with_headers, location, cookie)
                return
            if not guard.token_ok(_cookie(headers, TOKEN_COOKIE)):
                await _plain(send_with_headers, 401, "Toegangscode ontbreekt: open de link die koppel serve toonde")
                return
        if scope["method"] in UNSAFE_METHODS and not self._same_origin(headers):
            await _plain(send_with_headers, 403, "Verzoek van een andere site geweigerd / cross-site request refused")
            return
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > guard.max_body:
            await _plain(send_with_headers, 413, f"Te groot: de grens is {guard.max_body // (1 << 20)} MB")
            return

        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > guard.max_body:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge:
            await _plain(send_with_headers, 413, f"Te groot: de grens is {guard.max_body // (1 << 20)} MB")

    def _same_origin(self, headers: dict[str, str]) -> bool:
        """A browser names the page that sent a POST; it must be one of ours (same host)."""
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = headers.get("origin")
        if origin is None:
            return True  # not a browser's cross-site request (a browser always names the origin of those)
        if origin == "null":  # an opaque origin: a sandboxed frame, or a browser hiding it; only its own word counts
            return site == "same-origin"
        return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookie: str) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1")),
                            (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
