"""portal.jobs.job_command through the real `flask` command line: each scheduled job runs its service,
commits what it did and prints its report; links in what it mails come from BASE_URL without a request."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.db_types import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.reminders.models import AwardReminders
from portal.timeutil import to_local
from tests.factories import make_user


def _committed_messages() -> list[tuple[str, str]]:
    """(kind, body) of every outbox message another connection sees: only what was committed."""
    with db.engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage.kind, OutboxMessage.body).order_by(OutboxMessage.id)))


def _award_holder_due_today():
    """A holder whose third award anniversary is a month away: both award reminders are due now."""
    anniversary = to_local(utcnow()).date() + timedelta(days=30)
    try:
        awarded_on = anniversary.replace(year=anniversary.year - 3)
    except ValueError:  # 29 February: the service counts the 28th in a common year, still due today
        awarded_on = anniversary.replace(year=anniversary.year - 3, day=28)
    holder = make_user(name="Award Holder")
    db.session.add(AwardReminders(user_id=holder.id, awarded_on=awarded_on, membership_fee=True,
                                  portfolio_review=True))
    db.session.commit()
    return holder


def test_a_job_prints_its_report(app):
    result = app.test_cli_runner().invoke(args=["panel", "lapse-offers"])
    assert result.exit_code == 0, result.output
    assert result.output == "0 unanswered offer(s) lapsed\n"


def test_a_job_commits_what_its_service_did_and_links_under_the_base_url(app):
    app.config["BASE_URL"] = "https://portal.example.ac.uk/cohort"
    _award_holder_due_today()
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert result.output == ("queued 2 reminder(s): membership-fee 1, portfolio-review 1; "
                             "0 skipped (reminders switched off)\n")
    committed = dict(_committed_messages())
    assert set(committed) == {"reminder:membership-fee", "reminder:portfolio-review"}
    for body in committed.values():
        assert body.endswith("your reminders page: https://portal.example.ac.uk/cohort/my-data/reminders\n")
    assert "help: https://portal.example.ac.uk/cohort/mentoring/" in committed["reminder:portfolio-review"]
    # Run again: each reminder goes once, so the job queues nothing and says so.
    again = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert again.output.startswith("queued 0 reminder(s): none due;")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
