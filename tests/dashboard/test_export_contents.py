"""What the CSV exports say matches the pages: local times with their offset, full session titles, states by
their labels, and a round's attendance holding only that round's sessions. Parsed with the csv module."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

from portal.auth.models import Role
from portal.extensions import db
from portal.panel.models import Decision, Outcome
from portal.proposals.models import ProposalState
from portal.schedule.office_hours import BlockInput, create_office_hours_block
from portal.schedule.sessions import cancel_session
from portal.timeutil import local_to_utc
from tests.factories import make_booking, make_proposal, make_round, make_session, make_user


def _csv(client, round_id: int, kind: str) -> list[dict]:
    response = client.get(f"/dashboard/rounds/{round_id}/export/{kind}.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _at(year: int, month: int, day: int, hour: int) -> datetime:
    return local_to_utc(datetime(year, month, day, hour))


def test_attendance_reads_as_the_pages_do(client, login_as):
    lead = login_as(Role.LEAD)
    round_, other = make_round(name="Cohort 2030"), make_round(name="Other cohort")
    summer = make_session(title="Portfolio workshop", round_id=round_.id, starts_at=_at(2030, 6, 12, 14),
                          series_number=2, series_total=5)
    winter = make_session("intro", title="Intro", round_id=round_.id, starts_at=_at(2030, 1, 15, 14))
    dropped = make_session(title="Dropped workshop", round_id=round_.id, starts_at=_at(2030, 7, 3, 10))
    nobody_round = make_session(title="Open to all", starts_at=_at(2030, 6, 13, 10))
    ada, bo, cy = make_user(name="Ada"), make_user(name="Bo"), make_user(name="Cy")
    make_booking(summer, ada, attended=True)
    make_booking(summer, bo, attended=False)
    make_booking(summer, cy, status="waitlisted")
    make_booking(winter, ada)
    make_booking(dropped, bo)
    make_booking(nobody_round, ada)
    mine = create_office_hours_block(lead, BlockInput(title="Feedback hours", first_day=date(2030, 6, 18),
                                                      start_time=time(14, 0), end_time=time(14, 20),
                                                      round_id=round_.id))
    theirs = create_office_hours_block(lead, BlockInput(title="Their hours", first_day=date(2030, 6, 19),
                                                        start_time=time(14, 0), end_time=time(14, 20),
                                                        round_id=other.id))
    db.session.flush()
    make_booking(mine.sessions[0], cy, commit=False)
    make_booking(theirs.sessions[0], cy, commit=False)
    cancel_session(lead, dropped, "Room flooded")
    db.session.commit()

    rows = _csv(client, round_.id, "attendance")
    assert list(rows[0]) == ["session_id", "session", "kind", "starts_at", "ends_at", "name", "email",
                             "booking_status", "attended"]
    got = [(r["session"], r["kind"], r["starts_at"], r["name"], r["booking_status"], r["attended"]) for r in rows]
    assert got == [
        ("Intro", "Intro session", "2030-01-15T14:00:00+00:00", "Ada", "Booked", "Not recorded"),
        ("Portfolio workshop (Workshop 2 of 5)", "Workshop", "2030-06-12T14:00:00+01:00", "Ada", "Booked", "Attended"),
        ("Portfolio workshop (Workshop 2 of 5)", "Workshop", "2030-06-12T14:00:00+01:00", "Bo", "Booked", "Absent"),
        ("Portfolio workshop (Workshop 2 of 5)", "Workshop", "2030-06-12T14:00:00+01:00", "Cy", "Waitlisted", ""),
        ("Feedback hours", "Office hours", "2030-06-18T14:00:00+01:00", "Cy", "Booked", "Not recorded"),
        ("Dropped workshop", "Workshop", "2030-07-03T10:00:00+01:00", "Bo", "Session cancelled", ""),
    ]
    assert rows[1]["ends_at"] == "2030-06-12T15:00:00+01:00"


def test_proposals_and_decisions_use_labels_and_local_times(client, login_as):
    login_as(Role.LEAD)
    round_ = make_round()
    proposal = make_proposal(round_, make_user(name="Dee"), state=ProposalState.SELECTED)
    proposal.submitted_at = _at(2030, 3, 1, 9)
    db.session.add(Decision(round_id=round_.id, proposal_id=proposal.id, outcome=Outcome.SELECTED,
                            decided_at=_at(2030, 4, 2, 11), declined_at=_at(2030, 4, 9, 16)))
    db.session.commit()
    [row] = _csv(client, round_.id, "proposals")
    assert row["proposal_id"] == str(proposal.id)
    assert (row["state"], row["submitted_at"]) == ("Selected", "2030-03-01T09:00:00+00:00")
    [decision] = _csv(client, round_.id, "decisions")
    # A declined place reads as declined, as on the moderation page; the lead's first decision stays beside it.
    assert (decision["outcome"], decision["standing"]) == ("Selected", "Declined")
    assert (decision["decided_at"], decision["declined_at"]) == ("2030-04-02T11:00:00+01:00",
                                                                 "2030-04-09T16:00:00+01:00")
