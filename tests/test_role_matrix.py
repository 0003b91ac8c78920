"""Every role against every protected page: allowed, or refused (403/404/sign-in), never data.

Features add their pages to PAGES; the matrix grows with the portal.
"""
from __future__ import annotations

import pytest

from portal.auth.models import Role
from portal.extensions import db
from portal.outbox.services import queue_email
from tests.factories import make_user

ROLES = ["anonymous", "staff", "panel", "mentor", "lead"]
LEAD_ONLY = {"lead"}
SIGNED_IN = {"staff", "panel", "mentor", "lead"}


def _outbox_message_id():
    message = queue_email("secret@example.ac.uk", "Private subject", "Private body")
    db.session.commit()
    return message.id


def _other_person_id():
    return make_user(name="Target Person").id


# (method, url template, setup returning url kwargs, roles allowed, text only allowed roles may see)
PAGES = [
    ("GET", "/", None, {"anonymous", *SIGNED_IN}, None),
    ("GET", "/admin/people", None, LEAD_ONLY, "People and roles"),
    ("GET", "/admin/outbox", None, LEAD_ONLY, "Email outbox"),
    ("GET", "/admin/outbox/{id}", _outbox_message_id, LEAD_ONLY, "Private body"),
    ("GET", "/admin/audit", None, LEAD_ONLY, "Audit log"),
    ("POST", "/admin/people/{id}/roles", _other_person_id, LEAD_ONLY, None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES,
                         ids=[f"{m} {u}" for m, u, *_ in PAGES])
def test_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    if role != "anonymous":
        login_as(*([] if role == "staff" else [Role(role)]))
    kwargs = {"id": setup()} if setup else {}
    target = url.format(**kwargs)
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"role": "panel", "action": "grant"})
    body = response.get_data(as_text=True)
    if role in allowed:
        assert response.status_code in (200, 303), (role, target, response.status_code)
        if secret:
            assert secret in body
    else:
        if role == "anonymous":
            assert response.status_code == 302 and "/auth/sign-in" in response.headers["Location"]
        else:
            assert response.status_code in (403, 404)
        if secret:
            assert secret not in body
