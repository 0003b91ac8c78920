"""Loading the object a URL names, or answering 404."""
from __future__ import annotations

from flask import abort

from portal.extensions import db


def get_or_404(model, ident):
    """Load an object by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def get_allowed_or_404(model, ident, allowed):
    """Load an object by primary key when `allowed(obj)` says this person may see it; else 404, so a URL
    never tells anyone that a thing they may not see exists."""
    obj = get_or_404(model, ident)
    if not allowed(obj):
        abort(404)
    return obj
