"""Rate limits on the posts that send mail: per client (LOGIN_RATE_LIMIT) and per posted address."""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request

from portal.auth.services import normalise_email
from portal.extensions import limiter


def _client_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["ADDRESS_RATE_LIMIT"]


def _posted_address() -> str:
    return normalise_email(request.form.get("email", ""))


def _address_key() -> str:
    # A keyed hash, so the limiter's storage (possibly Redis) never holds the address itself.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return "address:" + hmac.new(key, _posted_address().encode(), hashlib.sha256).hexdigest()


# Per client, each route on its own (as sign-in is).
per_client = limiter.limit(_client_limit, methods=["POST"])

# Per address, shared by sign-up, reset and re-sent links: one address gets only so many emails,
# from however many clients. A post with no address sends nothing and is not counted.
per_address = limiter.shared_limit(_address_limit, scope="mail-to-address", key_func=_address_key,
                                   methods=["POST"], exempt_when=lambda: not _posted_address())
