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
