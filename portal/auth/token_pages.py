"""The one shape of a page reached through an emailed link with a secret token (confirming an address,
accepting an invitation, choosing a new password): a bad or spent link says why, a GET shows the form and
spends nothing, and a valid POST does the step and sends the person to sign in."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from portal.auth.services import AccountError
from portal.web.actions import attempt


def token_page(token: str, *, find: Callable[[str], Any], refused: Callable[[str], str], form: FlaskForm,
               act: Callable[[Any, FlaskForm], Any], done: str, template: str,
               context: Callable[[Any], dict] = lambda found: {},
               prefill: Callable[[Any, FlaskForm], None] | None = None):
    """Render or act on one token link.

    `find` turns the token into what it grants (raising AccountError for a bad, spent or expired link, whose
    message `refused` renders with status 400); `prefill` fills the form on a GET; `act` does the step on a
    valid POST (a ServiceError from it lands on the password field) and `done` is flashed before sign-in.
    """
    try:
        found = find(token)
    except AccountError as exc:
        return refused(exc.message), 400
    if prefill is not None and request.method == "GET":
        prefill(found, form)
    if form.validate_on_submit() and attempt(lambda: act(found, form), form=form, field="password"):
        flash(done, "success")
        return redirect(url_for("auth.sign_in"), 303)
    return render_template(template, form=form, token=token, **context(found)), 400 if form.errors else 200
