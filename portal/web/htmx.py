"""One place that decides whether an htmx request gets a fragment or the whole page."""
from __future__ import annotations

from flask import make_response, render_template, request


def wants_fragment(target_id: str | None = None) -> bool:
    """True for an htmx request aimed at a fragment.

    Boosted links and history restores also send HX-Request, but they replace the
    whole body, so they get the page. With target_id, only requests aimed at that
    element get the fragment.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    if target_id is None:
        return True
    return htmx.target == target_id


def render(page_template: str, fragment_template: str | None = None, target_id: str | None = None, /, *,
           http_status: int = 200, headers: dict | None = None, **context):
    """Render the fragment for an htmx request aimed at it, else the full page (which includes it)."""
    use_fragment = fragment_template and wants_fragment(target_id)
    template = fragment_template if use_fragment else page_template
    response = make_response(render_template(template, **context), http_status)
    response.headers.add("Vary", "HX-Request")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
