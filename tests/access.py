"""A shared check for role matrices: each feature lists its pages and who may open them."""
from __future__ import annotations

from portal.auth.models import Role

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]
LEAD_ONLY = {"lead"}
SIGNED_IN = {"staff", "panel", "mentor", "lead"}


def sign_in_as(login_as, role: str):
    """Sign in a fresh person holding just this role (nobody for 'anonymous')."""
    if role == "anonymous":
        return None
    return login_as(*([] if role == "staff" else [Role(role)]))


def assert_access(response, role: str, allowed: set[str], secret: str | None = None):
    """Allowed roles get the page (or a 303 after a post); others are refused and see no data."""
    body = response.get_data(as_text=True)
    if role in allowed:
        assert response.status_code in (200, 303), (role, response.status_code, body[:300])
        if secret:
            assert secret in body
    else:
        if role == "anonymous":
            assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"], response.status_code
        else:
            assert response.status_code in (403, 404), (role, response.status_code)
        if secret:
            assert secret not in body
