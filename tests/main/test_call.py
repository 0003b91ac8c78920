"""The public call page of a round and the signed-out home that lists the calls, through the real app."""
from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar

from portal.db_types import utcnow
from portal.rounds.models import RoundState
from portal.schedule.models import Audience, SessionStatus
from portal.timeutil import to_local
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user
from tests.query_counts import page_queries

STAMP = "%H:%M on %A %-d %B %Y"


def _local(instant) -> str:
    local = to_local(instant)
    return f"{local.strftime(STAMP)} {local.tzname()}"


def _text(html: str) -> str:
    """The page as a reader sees it: tags gone, whitespace collapsed."""
    return re.sub(r" ([:.,;])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _call_links(html: str) -> list[str]:
    return re.findall(r'href="(/calls/\d+)"', html)


def test_the_signed_out_home_lists_open_and_announced_calls_only(client):
    now = utcnow()
    open_ = make_round(name="Cohort 2027 call", closes_at=now + timedelta(days=20))
    coming = make_round(name="Spring 2027 call", state=RoundState.SCHEDULED, opens_at=now + timedelta(days=5, minutes=30),
                        closes_at=now + timedelta(days=30))
    make_round(name="Still a draft", state=RoundState.DRAFT)
    make_round(name="Past its closing time", opens_at=now - timedelta(days=30), closes_at=now - timedelta(hours=1))
    make_round(name="Closed early", state=RoundState.CLOSED)

    html = client.get("/").get_data(as_text=True)
    text = _text(html)

    assert _call_links(html) == [f"/calls/{open_.id}", f"/calls/{coming.id}"]
    assert f"Proposals close at {_local(open_.closes_at)}" in text
    assert f"Proposals open at {_local(coming.opens_at)}, in 5 days" in text
    for hidden in ("Still a draft", "Past its closing time", "Closed early"):
        assert hidden not in text


def test_the_signed_out_home_says_when_no_round_is_calling(client):
    make_round(name="Still a draft", state=RoundState.DRAFT)
    text = _text(client.get("/").get_data(as_text=True))
    assert "No round is calling for proposals just now." in text


def test_the_call_page_gives_the_scheme_pathways_places_closing_time_and_intro_sessions(client):
    now = utcnow()
    round_ = make_round(name="Cohort 2027 call", closes_at=now + timedelta(days=3, hours=4, minutes=30),
                        intro_required=True, guidance="Tell us what you would change.")
    intro = make_session(kind="intro", title="Intro webinar", round_id=round_.id, capacity=20,
                         location="Library room 2", host_id=make_user(name="Hidden Host").id)
    make_booking(intro, make_user(name="Booked Person"))
    make_session(kind="intro", title="Cancelled intro", round_id=round_.id, status=SessionStatus.CANCELLED)
    make_session(kind="workshop", title="Cohort workshop", round_id=round_.id, audience=Audience.COHORT)
    make_proposal(round_, user=make_user(name="Applicant Person"))

    response = client.get(f"/calls/{round_.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)

    assert "Cohort 2027 call: call for proposals" in text
    assert f"Proposals close at {_local(round_.closes_at)}: 3 days, 4 hours left." in text
    assert "A portfolio-based award." in text and "Awarded by ALT." in text
    assert "This round funds 10 places" in text
    assert "£1,500" not in text  # the budget is the panel's business, not the call's
    for name, fee, eligibility in [("Associate CMALT", "£110", "Under three years."),
                                   ("CMALT", "£165", "Three years or more."),
                                   ("Senior CMALT", "£265", "Leadership, strategy or research.")]:
        assert f"{name} Registration fee: {fee} {eligibility}" in text
    assert "Usually for 4 years or more plus leadership, strategy or research responsibilities." in text
    assert "You need to attend an intro session before you can submit a proposal." in text
    assert f"Intro webinar: {to_local(intro.starts_at).strftime('%A %-d %B %Y, %H:%M')}" in text
    assert "Library room 2. 19 places left." in text
    assert f'href="/auth/sign-in?next=/schedule/sessions/{intro.id}"' in html
    assert "Cancelled intro" not in text and "Cohort workshop" not in text
    assert "Tell us what you would change." in text
    assert f'href="webcal://localhost/schedule/rounds/{round_.id}/public.ics"' in html
    assert f'href="http://localhost/schedule/rounds/{round_.id}/public.ics"' in html
    assert f'href="/auth/sign-in?next=/rounds/{round_.id}"' in html
    # No personal data: nobody's name, whether host, applicant or booker.
    for name in ("Hidden Host", "Booked Person", "Applicant Person"):
        assert name not in text


def test_the_calls_feed_link_answers_a_calendar_with_the_intro_session(client):
    round_ = make_round(name="Cohort 2027 call", intro_required=True)
    make_session(kind="intro", title="Intro webinar", round_id=round_.id)
    html = client.get(f"/calls/{round_.id}").get_data(as_text=True)
    https = re.search(r'href="http://localhost(/schedule/rounds/\d+/public\.ics)"', html).group(1)

    response = client.get(https)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT") if "Intro webinar" in str(e["SUMMARY"])]


def test_an_announced_call_says_when_it_opens(client):
    now = utcnow()
    round_ = make_round(state=RoundState.SCHEDULED, opens_at=now + timedelta(days=2, hours=3, minutes=30),
                        closes_at=now + timedelta(days=20))
    text = _text(client.get(f"/calls/{round_.id}").get_data(as_text=True))
    assert (f"Proposals open at {_local(round_.opens_at)}, in 2 days, 3 hours, and close at "
            f"{_local(round_.closes_at)}.") in text
    assert "Sign in to apply" in text


def test_a_closed_call_says_so_and_offers_no_way_to_apply(client):
    now = utcnow()
    round_ = make_round(opens_at=now - timedelta(days=30), closes_at=now - timedelta(hours=2), intro_required=True)
    make_session(kind="intro", title="Old intro", round_id=round_.id, starts_in=timedelta(days=2))
    text = _text(client.get(f"/calls/{round_.id}").get_data(as_text=True))
    assert f"This call has closed Proposals closed at {_local(round_.closes_at)}." in text
    assert "Sign in to apply" not in text and "Old intro" not in text


def test_a_draft_or_unknown_round_has_no_call_page(client, login_as):
    draft = make_round(state=RoundState.DRAFT)
    assert client.get(f"/calls/{draft.id}").status_code == 404
    assert client.get("/calls/99999").status_code == 404
    login_as("lead")  # not even for the lead: the call page is the public face, and a draft has none yet
    assert client.get(f"/calls/{draft.id}").status_code == 404


def test_which_pathway_answers_with_the_proposal_forms_guidance(client):
    round_ = make_round()
    senior = _text(client.get(f"/calls/{round_.id}?years=20&leadership=yes").get_data(as_text=True))
    assert ("Senior CMALT: You have 20 years of experience and leadership, strategy or research "
            "responsibilities, so Senior CMALT fits") in senior
    junior = _text(client.get(f"/calls/{round_.id}?years=2&leadership=").get_data(as_text=True))
    assert "Associate CMALT: You have 2 years of experience, so Associate CMALT fits" in junior


def test_which_pathway_keeps_a_bad_answer_and_says_what_is_wrong(client):
    round_ = make_round()
    response = client.get(f"/calls/{round_.id}?years=lots&leadership=maybe")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter a whole number of years from 0 to 60." in html
    assert 'value="lots"' in html
    assert "Choose one of the options offered." in html


def test_which_pathway_with_htmx_answers_the_suggestion_alone(client):
    round_ = make_round()
    response = client.get(f"/calls/{round_.id}?years=5&leadership=no",
                          headers={"HX-Request": "true", "HX-Target": "calls-pathway"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "CMALT: You have 5 years of experience" in _text(html)
    assert "HX-Request" in response.headers["Vary"]


def test_a_signed_in_colleague_is_sent_to_the_round_itself(client, login_as):
    round_ = make_round()
    login_as()
    html = client.get(f"/calls/{round_.id}").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}"' in html and "Sign in to apply" not in html


def test_the_list_of_calls_is_public_too(client):
    round_ = make_round(name="Cohort 2027 call")
    html = client.get("/calls/").get_data(as_text=True)
    assert _call_links(html) == [f"/calls/{round_.id}"]


def test_the_call_page_reads_the_same_number_of_times_however_much_it_shows(client):
    small = make_round(intro_required=True)
    make_session(kind="intro", round_id=small.id)
    big = make_round(intro_required=True)
    for _ in range(6):
        make_session(kind="intro", round_id=big.id, capacity=10)
    small_url, big_url = f"/calls/{small.id}", f"/calls/{big.id}"
    assert page_queries(client, small_url) == page_queries(client, big_url) <= 6
    for _ in range(5):
        make_round()
    assert page_queries(client, "/") <= 3


def test_hostile_answers_are_shown_escaped_never_run(client):
    round_ = make_round()
    response = client.get(f"/calls/{round_.id}", query_string={"years": "<script>alert(1)</script>",
                                                                "leadership": "\"><x-hostile>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html and "<x-hostile>" not in html
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in html
