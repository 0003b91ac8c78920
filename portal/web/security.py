"""Security headers on every response, and refusing input that no database can store."""
from __future__ import annotations

from flask import Flask, render_template, request
from markupsafe import Markup

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; object-src 'none'")

NUL_MESSAGE = ("What you sent contains an invisible control character (NUL) that cannot be stored, "
               "usually from text pasted out of another program. Nothing was changed: retype or paste "
               "the text as plain text and send it again.")


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """PostgreSQL cannot store U+0000 in text, so say so kindly instead of failing with a 500."""
        values = list(request.args.values())
        if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            if getattr(request, "htmx", None):
                return Markup('<p class="error-message" role="alert">{}</p>').format(NUL_MESSAGE), 400
            return render_template("errors/_error.html", heading="That text could not be accepted",
                                   message=NUL_MESSAGE), 400
        return None

    @app.after_request
    def add_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
