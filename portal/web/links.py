"""Links that leave the portal (in an email, a feed, a calendar invitation): absolute, from PORTAL_BASE_URL."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """The route's address under the configured public base URL, with or without a request.

    Built from the app's own URL map (as url_for builds it), so a link in an email can never drift from
    its route; it uses BASE_URL rather than the request's host, because mail and feeds are also made by
    scheduled jobs and behind a proxy the request's host is not the public one.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)
