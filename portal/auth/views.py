"""Sign-up, sign-in, sign-out and password reset pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from portal.auth import oidc, services, sessions
from portal.auth.forms import ButtonForm, ChangePasswordForm, ResetPasswordForm, ResetRequestForm, SignInForm
from portal.auth.limits import per_address
from portal.auth.token_pages import token_page
from portal.extensions import db, limiter
from portal.web.actions import attempt
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.errors import error_page
from portal.web.redirects import next_or

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.errorhandler(429)
def too_many_attempts(error):
    """Too many sign-in attempts: the sign-in page itself, with its form, says so; others get the 429 page."""
    if request.endpoint != "auth.sign_in":
        return error_page(error)
    return render_template("auth/sign_in.html", form=SignInForm(),
                           error="Too many sign-in attempts. Wait a minute and try again."), 429


@bp.route("/sign-in", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@limiter.limit(_login_limit, methods=["POST"])
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_or(url_for("main.home")))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and not user.is_verified:  # the right password, but the address is not proven
            db.session.rollback()
            return render_template("auth/sign_in.html", form=form, unverified=True), 400
        if user is not None and not oidc.password_sign_in_allowed(user):  # institution accounts use the button
            db.session.rollback()
            return render_template("auth/sign_in.html", form=form, error=(
                f"Your account signs in with {oidc.provider_name()}: use the button above.")), 400
        if user is not None:
            sessions.sign_in(user, remember=bool(form.remember.data))
            db.session.commit()
            flash(f"Signed in as {user.name}.", "success")
            return redirect(next_or(url_for("main.home")), 303)
        db.session.rollback()
        error = "That email address and password do not match an account. Check them and try again."
    status = 200 if request.method == "GET" else (400 if form.errors or error else 200)
    return render_template("auth/sign_in.html", form=form, error=error), status


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    form = ButtonForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.sign_out(current_user)
        db.session.commit()
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)


@bp.route("/reset", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@limiter.limit(_login_limit, methods=["POST"])
@per_address
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If an account exists for that address, we have emailed it a link to choose a new password. "
              "The link works for an hour.", "success")
        return redirect(url_for("auth.sign_in"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
def reset_password(token: str):
    return token_page(
        token, find=services.user_for_reset_token, form=ResetPasswordForm(),
        refused=lambda message: render_template("auth/reset_request.html", form=ResetRequestForm(),
                                                token_error=message),
        act=lambda user, form: services.reset_password(user, form.password.data),
        done="Your password has been changed. Sign in with the new one.", template="auth/reset_password.html")


@bp.route("/password", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        remembered = bool(current_user.sign_in_session and current_user.sign_in_session.remembered)
        person = current_user._get_current_object()
        if attempt(lambda: services.change_password(person, form.current_password.data, form.password.data),
                   form=form, field="password"):
            # Every sign-in ended with the old password; this device goes on with a new one.
            sessions.sign_in(person, remember=remembered)
            db.session.commit()
            flash("Your password has been changed. Every other device you were signed in on is signed out.",
                  "success")
            return redirect(url_for("privacy.index"), 303)
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


# The view modules that register their routes on this blueprint (they import `bp` from here).
from portal.auth import sign_up_views  # noqa: E402,F401
from portal.auth import oidc_views  # noqa: E402,F401
