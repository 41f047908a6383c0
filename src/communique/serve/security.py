"""What keeps a stored article from running script in a reader's browser, and what every response
says about itself: the one check that turns a URL from the record into a link, and the headers sent
with every answer (docs/security.md explains them).

Text from the record is always escaped by the templates (Jinja's autoescape). URLs need more: an
escaped `javascript:` URL is still a live link, so a URL becomes an `href` only through `web_url`,
which lets through absolute http and https URLs and nothing else; any other value is shown as text.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})

# No script but our own file (/static/app.js), nothing from another origin, no plugins, no framing.
# Inline style attributes are allowed (the colour swatches and chart sizes are set per element);
# style cannot run script in a browser that honours this policy.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
    "cross-origin-opener-policy": "same-origin",
}
_RAW_HEADERS = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]


def web_url(value) -> str | None:
    """`value` when it is an absolute http(s) URL with a host, else None (show it as text).

    Browsers drop tabs and newlines inside a URL and trim spaces around it ("java\\tscript:" runs
    as "javascript:"), so a value holding any whitespace or control character is refused whole rather
    than cleaned."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > 4096 or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc or parts.netloc.startswith(("\\", "/")):
        return None
    return url


class SecurityHeaders:
    """ASGI middleware: the headers of `SECURITY_HEADERS` on every response (pages, JSON, static
    files, errors) that does not set its own."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in _RAW_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "SecurityHeaders", "web_url"]
