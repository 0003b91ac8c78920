"""Feed secrets at rest: only their SHA-256 is stored, the link is shown once, and no secret reaches the audit log."""
from __future__ import annotations

import hashlib

from sqlalchemy import select, text

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.schedule.models import FeedToken
from tests.schedule.feed_links_shown import shown_feed_path


def _everything_stored_about_feeds() -> str:
    feeds = db.session.execute(text("SELECT * FROM feed_tokens")).all()
    audit = [(a.action, a.summary, repr(a.detail)) for a in db.session.scalars(select(AuditEvent))]
    return repr(feeds) + repr(audit)


def test_a_new_link_is_stored_as_its_hash_shown_once_and_never_audited(client, login_as):
    login_as()
    assert client.post("/schedule/feeds", data={"label": "Phone", "scope": "personal"}).status_code == 303
    path = shown_feed_path(client)
    secret = path.removeprefix("/schedule/feed/").removesuffix(".ics")
    row = db.session.scalar(select(FeedToken))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in _everything_stored_about_feeds()
    assert client.get(path).status_code == 200
    page = client.get("/schedule/feeds").get_data(as_text=True)
    assert secret not in page and "shown once" in page  # once only
    assert secret not in client.get("/schedule/").get_data(as_text=True)

    client.post(f"/schedule/feeds/{row.id}/regenerate")
    fresh_path = shown_feed_path(client)
    fresh = fresh_path.removeprefix("/schedule/feed/").removesuffix(".ics")
    assert client.get(path).status_code == 410 and client.get(fresh_path).status_code == 200
    stored = _everything_stored_about_feeds()
    assert secret not in stored and fresh not in stored

    client.post(f"/schedule/feeds/{db.session.scalar(select(FeedToken.id).where(FeedToken.revoked_at.is_(None)))}/revoke")
    assert client.get(fresh_path).status_code == 410
    assert shown_feed_path(client) is None  # revoking shows no link


def test_the_hash_itself_is_not_a_feed_link(client, login_as):
    login_as()
    client.post("/schedule/feeds", data={"label": "Phone", "scope": "personal"})
    shown_feed_path(client)
    row = db.session.scalar(select(FeedToken))
    assert client.get(f"/schedule/feed/{row.token_hash}.ics").status_code == 404


def test_a_shown_link_of_someone_else_is_not_shown(client, login_as):
    """The page shows a new link only when it is one of the person's live links."""
    login_as()
    with client.session_transaction() as session:
        session["feed_link_shown_once"] = {"id": 999999, "secret": "planted-secret"}
    assert "planted-secret" not in client.get("/schedule/feeds").get_data(as_text=True)
