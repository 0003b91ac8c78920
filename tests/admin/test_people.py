"""The lead's People page lists real people, not the placeholder that holds anonymised proposals."""
from __future__ import annotations

from portal.auth.models import Role
from portal.extensions import db
from portal.privacy.services import ANONYMOUS_NAME, anonymous_user
from tests.factories import make_user


def test_the_anonymised_placeholder_is_not_among_the_people(client, login):
    lead = make_user(roles=[Role.LEAD], name="Lena Lead")
    make_user(name="Real Person")
    anonymous_user()
    db.session.commit()
    login(lead)
    page = client.get("/admin/people").get_data(as_text=True)
    assert "Real Person" in page and ANONYMOUS_NAME not in page
    assert ANONYMOUS_NAME not in client.get("/admin/people?q=anonym").get_data(as_text=True)
