"""Friendly error pages."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from portal.extensions import db
from portal.web.csrf import handle_csrf_error


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("errors/405.html"), 405

    @app.errorhandler(429)
    def too_many(_error):
        if request.endpoint == "auth.sign_in":
            from portal.auth.forms import SignInForm
            return render_template("auth/sign_in.html", form=SignInForm(),
                                   error="Too many sign-in attempts. Wait a minute and try again."), 429
        return render_template("errors/429.html"), 429

    @app.errorhandler(400)
    def bad_request(_error):
        return render_template("errors/400.html"), 400

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/413.html"), 413

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
