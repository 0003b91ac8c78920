"""Keeping a person's input when a CSRF token is missing or stale.

A form whose text may be kept on the server after a failed check carries a stamp (`served_stamp`): which
person the page was served to, for what, and when, signed with the secret key. A request that fails the
CSRF check changes nothing unless its stamp is genuine and recent (`served_to`): another site cannot
make one, so it cannot plant text in someone's form, and it can only keep text in forms of its own.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

CSRF_MESSAGE = ("Your form could not be accepted because its security token was missing or out of date "
                "(for example after a long pause or signing in again). Nothing was changed; your text is "
                "kept below — check it and send it again.")


# The form field that carries the stamp, and how long a served page's stamp is honoured: a tab left
# open over a long weekend still keeps its text; an older page is shown again but keeps nothing.
SERVED_FIELD = "served_for"
SERVED_FOR = timedelta(days=4)
_STAMP_SALT = "portal.served-for"


def _stamps() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_STAMP_SALT)


def served_stamp(subject: str, user_id: int) -> str:
    """The stamp for a form about `subject` (e.g. "proposal:7") served to this person."""
    return _stamps().dumps([subject, user_id])


def served_to(subject: str) -> int | None:
    """The id of the person the posted form about `subject` was served to, if its stamp is genuine and
    recent; None for a missing, forged, expired or other form's stamp."""
    stamp = request.form.get(SERVED_FIELD, "")
    if not stamp or len(stamp) > 500:
        return None
    try:
        named, user_id = _stamps().loads(stamp, max_age=SERVED_FOR.total_seconds())
    except (BadData, TypeError, ValueError):
        return None
    return user_id if named == subject and isinstance(user_id, int) else None


def client_key() -> str:
    """A keyed hash of the client's address: enough to count what one client keeps, and not the address."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()[:32]


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
