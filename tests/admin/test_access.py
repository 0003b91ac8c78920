"""Role matrix for the lead's administration pages."""
from __future__ import annotations

import pytest

from portal.extensions import db
from portal.outbox.services import queue_email
from tests.access import LEAD_ONLY, ROLES, SIGNED_IN, assert_access, sign_in_as
from tests.factories import make_user


def _outbox_message_id():
    message = queue_email("secret@example.ac.uk", "Private subject", "Private body")
    db.session.commit()
    return message.id


def _other_person_id():
    return make_user(name="Target Person").id


# (method, url template, setup returning the id, roles allowed, text only allowed roles may see)
PAGES = [
    ("GET", "/", None, {"anonymous", *SIGNED_IN}, None),
    ("GET", "/admin/people", None, LEAD_ONLY, "People and roles"),
    ("GET", "/admin/outbox", None, LEAD_ONLY, "Email outbox"),
    ("GET", "/admin/outbox/{id}", _outbox_message_id, LEAD_ONLY, "Private body"),
    ("GET", "/admin/audit", None, LEAD_ONLY, "Audit log"),
    ("POST", "/admin/people/{id}/roles", _other_person_id, LEAD_ONLY, None),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url, setup, allowed, secret", PAGES, ids=[f"{m} {u}" for m, u, *_ in PAGES])
def test_admin_role_matrix(client, login_as, role, method, url, setup, allowed, secret):
    sign_in_as(login_as, role)
    target = url.format(id=setup()) if setup else url
    if method == "GET":
        response = client.get(target)
    else:
        response = client.post(target, data={"role": "panel", "action": "grant"})
    assert_access(response, role, allowed, secret)
