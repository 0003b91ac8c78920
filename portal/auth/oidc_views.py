"""Institutional sign-in pages: the button that goes to the provider, and the provider's way back."""
from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, flash, redirect, session, url_for
from joserfc.errors import JoseError

from portal.auth import oidc, sessions
from portal.auth.views import bp
from portal.auth.forms import ButtonForm
from portal.extensions import limiter
from portal.web.actions import attempt
from portal.web.links import absolute_url
from portal.web.redirects import next_or, safe_target

# Where to go after the provider sends the person back (a same-site path, kept in the session).
NEXT_KEY = "oidc_next"
# What talking to the provider can fail with: refused or forged answers (state, tokens, signature,
# claims) and a provider that cannot be reached.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, RuntimeError, KeyError, ValueError)


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.record_once
def _configure(state) -> None:
    """Set up the provider's client when the blueprint joins an app (its settings are final by then)."""
    oidc.configure(state.app)


@bp.context_processor
def _institution_button():
    """The name for the "Sign in with …" button, or None when institutional sign-in is off."""
    return {"oidc_provider": oidc.provider_name() if oidc.client() is not None else None}


def _back_to_sign_in(message: str):
    """Say why on the sign-in page."""
    flash(message, "error")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/oidc/start", methods=["POST"])
@limiter.limit(_login_limit)
def oidc_start():
    """The button: off to the provider with a fresh state, nonce and PKCE challenge (kept in the session)."""
    provider = oidc.client()
    if provider is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("auth.sign_in"), 303)
    callback = absolute_url("auth.oidc_callback")
    try:
        found = provider.create_authorization_url(callback)
    except PROVIDER_ERRORS as exc:
        current_app.logger.warning("OIDC: cannot start a sign-in: %r", exc)
        return _back_to_sign_in(f"{oidc.provider_name()} cannot be reached just now. Try again in a minute.")
    kept = {key: value for key, value in found.items() if key != "url"}  # state, nonce, PKCE verifier
    provider.save_authorize_data(redirect_uri=callback, **kept)
    session[NEXT_KEY] = next_or(url_for("main.home"))
    return redirect(found["url"], 303)


@bp.route("/oidc/callback")
def oidc_callback():
    """The provider's way back: Authlib checks the state and the ID token, then the person is signed in."""
    provider = oidc.client()
    if provider is None:
        abort(404)
    target = safe_target(session.pop(NEXT_KEY, None), url_for("main.home"))
    try:
        metadata = provider.load_server_metadata()
        token = provider.authorize_access_token(claims_options=oidc.claims_options(metadata))
    except PROVIDER_ERRORS as exc:
        current_app.logger.warning("OIDC: sign-in refused: %r", exc)
        return _back_to_sign_in(f"Signing in with {oidc.provider_name()} did not work. Try again.")
    claims = token.get("userinfo")
    if not claims:
        current_app.logger.warning("OIDC: the provider sent no ID token")
        return _back_to_sign_in(f"Signing in with {oidc.provider_name()} did not work. Try again.")
    issuer = oidc.expected_issuer(metadata)
    done = attempt(lambda: _sign_in(dict(claims), issuer))
    if not done:
        return _back_to_sign_in(done.error)
    flash(f"Signed in as {done.value.name}.", "success")
    return redirect(target, 303)


def _sign_in(claims: dict, issuer: str):
    """Find or make the person, then sign them in the way the password sign-in does."""
    user = oidc.sign_in_with_oidc(claims, issuer)
    sessions.sign_in(user)
    return user
