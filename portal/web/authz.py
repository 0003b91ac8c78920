"""Authorization helpers: role checks that answer 403, ownership checks that answer 404."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.auth.models import Role
from portal.extensions import db


def roles_required(*roles: Role):
    """Allow the view to anyone signed in who holds at least one of the roles (leads hold all)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            user_roles = current_user.roles
            if Role.LEAD not in user_roles and not user_roles.intersection(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


lead_required = roles_required(Role.LEAD)


def get_or_404(model, ident):
    """Load an object by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
