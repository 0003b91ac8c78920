"""The dashboard's CSV exports stream: rows are read from the database while the body is sent, not before."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import event

from portal.auth.models import Role
from portal.dashboard.exports import EXPORTS
from portal.extensions import db
from portal.web.csv import csv_text
from tests.dashboard.cohort import build_cohort

# The table each export reads its rows from (the FROM of its one SELECT).
MAIN_TABLE = {"proposals": "proposals", "decisions": "panel_decisions", "attendance": "sessions",
              "pairings": "pairings", "progress": "mentoring_progress"}


class Statements:
    """The SQL statements the app's engine sends while active."""

    def __init__(self):
        self.sent: list[str] = []

    def _on_execute(self, _conn, _cursor, statement, *_args):
        self.sent.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._on_execute)

    def reading(self, table: str) -> list[str]:
        return [s for s in self.sent if re.search(rf"\bFROM {table}\b", s) and s.lstrip().startswith("SELECT")]


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_an_export_reads_its_rows_as_the_body_streams_and_gives_the_same_csv(client, login_as, kind):
    cohort = build_cohort()
    login_as(Role.LEAD)
    header, rows = EXPORTS[kind]
    expected = csv_text(header, list(rows(cohort.round.id)))
    db.session.remove()  # start the request from an empty identity map, as a fresh one would
    with Statements() as statements:
        response = client.get(f"/dashboard/rounds/{cohort.round.id}/export/{kind}.csv")
        assert response.status_code == 200 and response.is_streamed
        # The view has answered: the headers are out, but no row has been read yet.
        assert statements.reading(MAIN_TABLE[kind]) == []
        chunks = iter(response.response)
        first = next(chunks)
        assert first.decode("utf-8") == expected.split("\r\n", 1)[0] + "\r\n"
        body = first + b"".join(chunks)
        assert len(statements.reading(MAIN_TABLE[kind])) == 1
    assert body.decode("utf-8") == expected


def test_progress_counts_ready_sections_in_the_database(client, login_as):
    cohort = build_cohort()
    login_as(Role.LEAD)
    response = client.get(f"/dashboard/rounds/{cohort.round.id}/export/progress.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["proposal_id", "name", "registered_on", "target_deadline", "sections_ready", "sections",
                       "outcome", "outcome_recorded_at"]
    by_name = {r[1]: r for r in rows[1:]}
    assert (by_name["Applicant 0"][4:6], by_name["Applicant 1"][4:6]) == (["2", "2"], ["1", "2"])
    assert by_name["Applicant 0"][6] == "Awarded" and by_name["Applicant 1"][6] == ""
