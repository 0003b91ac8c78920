"""Keeping a person's input when a CSRF token is missing or stale."""
from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CSRF_MESSAGE = ("Your form could not be accepted because its security token was missing or out of date "
                "(for example after a long pause or signing in again). Nothing was changed; your text is "
                "kept below — check it and send it again.")


def keeps_input_on_csrf_failure(view):
    """Mark a view whose form can be re-shown safely when the CSRF check fails.

    Such a view must validate a FlaskForm before acting; that validation fails again
    (the form's own token check), so the view re-renders the form with the input kept.
    """
    view.keeps_input_on_csrf_failure = True
    return view


def handle_csrf_error(error: CSRFError):
    """Re-show the form with its input and a clear message, or a friendly page; never a bare 400."""
    view = current_app.view_functions.get(request.endpoint or "")
    g.csrf_failed = True
    if view is not None and getattr(view, "keeps_input_on_csrf_failure", False):
        try:
            response = current_app.make_response(view(**(request.view_args or {})))
        except HTTPException:
            # The view refused before showing its form (signed out, not theirs, gone): the
            # friendly page says what happened without revealing which.
            response = None
        # A redirect (e.g. to sign in) cannot carry the kept input; say what happened instead.
        if response is not None and not 300 <= response.status_code < 400:
            response.status_code = 400
            return response
    return render_template("errors/csrf.html", message=CSRF_MESSAGE), 400
