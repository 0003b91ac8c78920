"""Small factory helpers with sensible defaults, so tests read as the rule they check."""
from __future__ import annotations

import itertools

from portal.auth.models import Role, RoleGrant, User
from portal.auth.services import hash_password
from portal.extensions import db

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hashed(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_user(roles=(), email: str | None = None, name: str | None = None, password: str = DEFAULT_PASSWORD,
              department: str = "School of Education", commit: bool = True, **fields) -> User:
    """A person with the given roles (Role members or their values)."""
    n = next(_counter)
    user = User(email=email or f"person{n}@example.ac.uk", name=name or f"Person {n}", department=department,
                password_hash=_hashed(password), **fields)
    user.role_grants = [RoleGrant(role=Role(r)) for r in roles]
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user
