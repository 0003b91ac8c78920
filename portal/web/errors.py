"""Friendly error pages: one template per status, one handler for them all."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from portal.extensions import db
from portal.web.csrf import handle_csrf_error

# Each status the portal answers with a page of its own (templates/errors/<code>.html).
ERROR_PAGES = (400, 403, 404, 405, 413, 429, 500)


def error_page(error):
    """The page for an HTTP error; a 500 first rolls back whatever the failed request left open."""
    code = getattr(error, "code", None) or 500
    if code == 500:
        db.session.rollback()
    return render_template(f"errors/{code}.html"), code


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in ERROR_PAGES:
        app.register_error_handler(code, error_page)
