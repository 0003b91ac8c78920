"""The dashboard pages and CSV exports as the lead sees them."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.extensions import db
from tests.dashboard.cohort import build_cohort
from tests.factories import make_proposal, make_user


def test_dashboard_shows_charts_with_their_tables(client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    body = client.get("/dashboard/").get_data(as_text=True)
    assert "<h1>Dashboard: Cohort 2026</h1>" in body
    assert '<svg role="img" aria-labelledby="chart-funnel-title chart-funnel-desc"' in body
    assert '<title id="chart-funnel-title">Funnel for Cohort 2026</title>' in body
    assert "Intro session attended: 5; Started a proposal: 6; Submitted: 5; Selected: 3" in body
    assert '<caption>Funnel for Cohort 2026</caption>' in body
    assert '<tr><th scope="row">Selected</th><td class="num">3</td><td class="num">60%</td></tr>' in body
    assert '<caption>Applications by department</caption>' in body
    assert "£495 used of £1,500" in body
    assert "No mentor" in body
    assert client.get(f"/dashboard/rounds/{cohort.round.id}").status_code == 200


def test_round_picker_redirects_to_the_round(client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    response = client.get(f"/dashboard/?round={cohort.round.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/dashboard/rounds/{cohort.round.id}")


def test_empty_dashboard_without_rounds(client, login_as):
    login_as(Role.LEAD)
    assert "There are no rounds yet." in client.get("/dashboard/").get_data(as_text=True)


def test_year_on_year_and_report_pages(client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    years = client.get("/dashboard/years").get_data(as_text=True)
    assert "<caption>Year on year</caption>" in years and ">33%<" in years
    report = client.get(f"/dashboard/rounds/{cohort.round.id}/report").get_data(as_text=True)
    assert 'class="annual-report"' in report
    assert 'id="report-funnel"' in report and "<caption>Year on year</caption>" in report


def test_proposals_export_is_excel_safe_and_audited(client, login_as):
    cohort = build_cohort()
    lead = login_as(Role.LEAD)
    make_proposal(cohort.round, make_user(name="=HYPERLINK(\"http://evil\")"), department="@Library",
                  job_title="-2+3")
    response = client.get(f"/dashboard/rounds/{cohort.round.id}/export/proposals.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["proposal_id", "name", "email"]
    assert len(rows) == 1 + 7
    evil = next(r for r in rows if "HYPERLINK" in r[1])
    assert evil[1] == "'=HYPERLINK(\"http://evil\")" and evil[3] == "'@Library" and evil[4] == "'-2+3"
    selected = next(r for r in rows if r[1] == "Applicant 0")
    assert selected[6] == "Selected"
    # An ISO instant on the institution's clock, with its offset (+00:00 or +01:00 in London).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[01]:00", selected[10])
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.csv"))
    assert event.actor_id == lead.id and event.detail == {"kind": "proposals"}


def test_every_export_downloads(client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    expected_rows = {"proposals": 6, "decisions": 3, "attendance": 6, "pairings": 2, "progress": 2}
    for kind, count in expected_rows.items():
        response = client.get(f"/dashboard/rounds/{cohort.round.id}/export/{kind}.csv")
        assert response.status_code == 200, kind
        lines = response.get_data().decode("utf-8-sig").strip().split("\r\n")
        assert len(lines) == 1 + count, kind
    assert client.get(f"/dashboard/rounds/{cohort.round.id}/export/secrets.csv").status_code == 404
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "export.csv")) == 5
