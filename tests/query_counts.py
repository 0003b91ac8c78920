"""Counting the SQL statements a page or a call sends, for the no-N+1 tests."""
from __future__ import annotations

from portal.bench.measure import QueryCounter
from portal.extensions import db

# Issue 9: at most this many statements on any page.
MOST_QUERIES = 12


def page_queries(client, url: str) -> int:
    """Statements one GET of url sends, starting from an empty identity map; the page must answer 200."""
    db.session.remove()  # the test shares the app context: start the request as a fresh one would
    with QueryCounter(db.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, url
    return counter.count


def call_queries(fn) -> int:
    """Statements a call sends."""
    with QueryCounter(db.engine) as counter:
        fn()
    return counter.count
