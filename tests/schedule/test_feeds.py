"""Feed links and feed answers: weak validators, a revoked link answers 410 Gone, the cap on links a person."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.config import DefaultConfig, environment_overrides
from portal.extensions import db
from portal.rounds.models import RoundState
from portal.schedule.errors import ScheduleError
from portal.schedule.feeds import create_feed_token, regenerate_feed_token, revoke_feed_token
from portal.schedule.models import FeedToken
from tests.factories import make_booking, make_round, make_session, make_user
from tests.schedule.feed_links_shown import shown_feed_path


def _feed(login_as):
    person = login_as()
    token = create_feed_token(person, "Laptop")
    make_booking(make_session(title="Workshop"), person)
    return person, token, f"/schedule/feed/{token.token}.ics"


# ---------------------------------------------------------------- conditional GETs (RFC 9110 13.1.2)

def test_a_weak_validator_from_a_gzip_proxy_gets_304(client, login_as):
    _person, _token, url = _feed(login_as)
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    # A proxy that compresses the body weakens the ETag it passes on; the calendar sends that one back.
    again = client.get(url, headers={"If-None-Match": f"W/{etag}"})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize("header", [
    '"something-else", W/{etag}',
    'W/"something-else", {etag}',
    '"a", "b",{etag}',
    "*",
])
def test_if_none_match_takes_a_list_of_tags_or_a_star(client, login_as, header):
    _person, _token, url = _feed(login_as)
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304 and response.data == b""


@pytest.mark.parametrize("header", ['W/"something-else"', '"something-else", W/"other"'])
def test_tags_that_do_not_match_get_the_whole_feed(client, login_as, header):
    _person, _token, url = _feed(login_as)
    first = client.get(url)
    # If-None-Match decides alone: a matching If-Modified-Since beside it is ignored (RFC 9110 13.1.3).
    response = client.get(url, headers={"If-None-Match": header, "If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200
    assert b"SUMMARY:Workshop" in response.data


def test_the_public_round_feed_takes_a_weak_validator_too(client):
    round_ = make_round(state=RoundState.OPEN)
    make_session("intro", title="Intro", round_id=round_.id)
    url = f"/schedule/rounds/{round_.id}/public.ics"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


# ---------------------------------------------------------------- revoked links are gone

def test_a_revoked_link_answers_410_and_an_unknown_one_404(client, login_as):
    person, token, url = _feed(login_as)
    assert client.get(url).status_code == 200
    revoke_feed_token(person, token)
    db.session.commit()
    gone = client.get(url)
    assert gone.status_code == 410
    assert gone.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"BEGIN:VCALENDAR" not in gone.data
    assert client.get("/schedule/feed/not-a-real-token.ics").status_code == 404


def test_a_replaced_link_is_gone_and_its_successor_works(client, login_as):
    _person, old, old_url = _feed(login_as)
    client.post(f"/schedule/feeds/{old.id}/regenerate")
    fresh_url = shown_feed_path(client)
    assert client.get(old_url).status_code == 410
    assert fresh_url != old_url and client.get(fresh_url).status_code == 200


# ---------------------------------------------------------------- at most so many links a person

def test_the_cap_on_feed_links_is_configurable_and_has_a_default():
    assert DefaultConfig.FEED_LINKS_PER_PERSON == 10
    assert environment_overrides({"PORTAL_FEED_LINKS_PER_PERSON": "3"}) == {"FEED_LINKS_PER_PERSON": 3}


def test_a_person_may_hold_only_so_many_live_feed_links(app):
    app.config["FEED_LINKS_PER_PERSON"] = 3
    person, someone_else = make_user(), make_user()
    links = [create_feed_token(person, f"Device {n}") for n in range(3)]
    db.session.commit()
    with pytest.raises(ScheduleError) as refused:
        create_feed_token(person, "One too many")
    assert refused.value.message == ("You already have 3 calendar links, the most one person may have. "
                                     "Revoke one you no longer use, then create the new one.")
    db.session.rollback()
    # Others have their own allowance; replacing a link keeps the count, so it is allowed at the cap.
    create_feed_token(someone_else, "Theirs")
    fresh = regenerate_feed_token(person, links[0])
    db.session.commit()
    # A revoked link no longer counts.
    revoke_feed_token(person, fresh)
    create_feed_token(person, "Tablet")
    db.session.commit()
    live = select(func.count(FeedToken.id)).where(FeedToken.user_id == person.id, FeedToken.revoked_at.is_(None))
    assert db.session.scalar(live) == 3


def test_the_feeds_page_explains_the_cap(app, client, login_as):
    app.config["FEED_LINKS_PER_PERSON"] = 1
    person = login_as()
    assert client.post("/schedule/feeds", data={"label": "Phone", "scope": "personal"}).status_code == 303
    refused = client.post("/schedule/feeds", data={"label": "Laptop", "scope": "personal"})
    assert refused.status_code == 422
    assert "You already have 1 calendar link, the most one person may have." in refused.get_data(as_text=True)
    assert "You can have up to 1 link at once; revoke one you no longer use" in refused.get_data(as_text=True)
    labels = db.session.scalars(select(FeedToken.label).where(FeedToken.user_id == person.id)).all()
    assert labels == ["Phone"]
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "feed.created")) == 1
