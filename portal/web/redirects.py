"""Where to go after a form: a `next` address is followed only when it stays on this site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_target(target: str | None, default: str) -> str:
    """The target when it is a same-site path, else the default (no open redirects, no broken headers).

    Browsers drop tabs and newlines inside an address before following it ("/\\t/evil.example" is
    "//evil.example" to them), and a CR or LF cannot go into a Location header at all, so any control
    character refuses the target; so do a scheme, a host, "//" and a backslash (read as "/" by browsers).
    """
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def next_or(default: str) -> str:
    """The request's `next` (a form field, else the query string) when it is safe, else the default."""
    return safe_target(request.form.get("next") or request.args.get("next"), default)


def back_or(default: str) -> str:
    """The page the request came from (its Referer, taken as a path) when that page is on this site, else
    the default: a form posted from a filtered, paged list returns to that same list."""
    referrer = request.referrer
    if not referrer or not referrer.startswith(request.host_url):
        return default
    parts = urlsplit(referrer)
    return safe_target(parts.path + (f"?{parts.query}" if parts.query else ""), default)
