"""Who may open a view: role checks that answer 403 (leads hold every role)."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.auth.models import Role


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
