"""Run the benchmark: build the data in a fresh database, then time the key pages through the app."""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from datetime import datetime, timezone
from typing import Callable

from flask import Flask
from sqlalchemy import func, select

from portal.auth.models import User
from portal.bench import measure
from portal.bench.data import BENCH_PASSWORD, FULL, QUICK, BenchData, Size, build
from portal.bench.load import run_load
from portal.bench.measure import (PageResult, Request, csrf_token, format_table, machine_speed, time_callable,
                                  time_requests)
from portal.extensions import db
from portal.mentoring.bench import synthetic_records
from portal.mentoring.matching import match
from portal.schedule.feeds import create_feed_token
from portal.web.server import freeze_start_up_objects


def _signed_in_client(app, email: str):
    client = app.test_client()
    response = client.get("/auth/sign-in")
    page = response.get_data(as_text=True)
    if response.status_code != 200:
        raise RuntimeError(f"sign-in page answered {response.status_code}: {page[:300]}")
    token = csrf_token(page)
    response = client.post("/auth/sign-in", data={"email": email, "password": BENCH_PASSWORD, "csrf_token": token})
    if response.status_code != 303:
        raise RuntimeError(f"bench sign-in failed for {email}: {response.status_code} {response.get_data(as_text=True)[-2500:]}")
    return client


def settle(engine) -> None:
    """Give PostgreSQL the planner statistics and visibility map that autovacuum keeps on a live
    database: a table just filled in bulk has neither, and gets plans no real round would."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def page_plan(data: BenchData) -> list[tuple[str, str, str]]:
    """(name, who, url) of every timed page; who is an attribute of BenchData naming the user."""
    return [
        ("staff home", "staff", "/"),
        ("proposal form", "staff", f"/proposals/{data.draft_proposal_id}/edit"),
        ("schedule", "staff", "/schedule/"),
        ("personal iCal feed", "staff", "FEED"),
        ("panel queue", "panel", f"/panel/rounds/{data.review_round_id}/queue"),
        ("panel scoring page", "panel", f"/panel/proposals/{data.scored_proposal_id}/score"),
        ("moderation table", "lead", f"/panel/rounds/{data.review_round_id}/moderation"),
        ("lead proposals list", "lead", f"/proposals/rounds/{data.review_round_id}"),
        ("lead home", "lead", "/"),
        ("lead dashboard", "lead", f"/dashboard/rounds/{data.review_round_id}"),
        ("mentor dashboard", "mentor", "/mentoring/dashboard"),
    ]


def measure_pages(app, data: BenchData, repeat: int = 30) -> list[PageResult]:
    """Time every page in the plan, plus sign-in and matching."""
    with app.app_context():
        emails = {who: db.session.get(User, getattr(data, f"{who}_id")).email
                  for who in ("staff", "panel", "lead", "mentor")}
        staff = db.session.get(User, data.staff_id)
        feed_token = create_feed_token(staff, label="Bench feed").token
        db.session.commit()
        measure.ENGINE = db.engine
    # Requests run outside an app context, as in production: each gets its own session.
    clients = {who: _signed_in_client(app, email) for who, email in emails.items()}
    anonymous = app.test_client()
    token = csrf_token(anonymous.get("/auth/sign-in").get_data(as_text=True))
    requests = [Request("sign-in (POST)", anonymous, "/auth/sign-in", method="POST",
                        data={"email": emails["staff"], "password": BENCH_PASSWORD, "csrf_token": token})]
    for name, who, url in page_plan(data):
        if url == "FEED":
            url = f"/schedule/feed/{feed_token}.ics"
        requests.append(Request(name, clients[who], url))
    results = time_requests(requests, repeat=repeat)
    mentees, mentors = synthetic_records(data.size.participants, data.size.mentors)
    results.append(time_callable(f"matching {len(mentees)} to {len(mentors)}", lambda: match(mentees, mentors),
                                 repeat=3))
    return results


def run(create_app: Callable[[dict | None], Flask], size_name: str = "full", database_url: str | None = None,
        repeat: int = 30, out: str | None = None, reset: bool = False,
        load_seconds: float = 10.0) -> tuple[list[PageResult], dict]:
    """Build a fresh database of the given size with an app from create_app (the portal's factory, handed
    in by the composition root), time the pages, then load the staff home through gunicorn (2 workers) for
    load_seconds (0 skips it); print a table and write JSON."""
    size: Size = FULL if size_name == "full" else QUICK
    workdir = tempfile.mkdtemp(prefix="portal-bench-")
    url = database_url or os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(workdir, "bench.sqlite3")
    os.environ.setdefault("PORTAL_INSTANCE_PATH", workdir)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "MAIL_SERVER": None})
    with app.app_context():
        db.create_all()
        if db.session.scalar(select(func.count()).select_from(User)):
            if not reset:
                raise SystemExit("The benchmark needs an empty database (pass --reset to wipe this one).")
            db.drop_all()
            db.create_all()
        data = build(size)
        settle(db.engine)
        dialect = db.engine.dialect.name
        staff_email = db.session.get(User, data.staff_id).email
        db.engine.dispose()
    # As wsgi.py does once a server process has started.
    freeze_start_up_objects()
    speed_before = machine_speed()
    results = measure_pages(app, data, repeat=repeat)
    speed_after = machine_speed()
    load = None
    if load_seconds > 0:
        load = run_load(url, staff_email, workers=2, seconds=load_seconds)
    report = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python {platform.python_version()}",
        "database": dialect,
        "size": size_name,
        "counts": size.__dict__,
        "machine_speed_ms": {"before": speed_before, "after": speed_after},
        "results": [r.as_dict() for r in results],
        "load": load.as_dict() if load else None,
    }
    print(f"Cohort Portal benchmark · {report['size']} · {report['database']} · {report['machine']}")
    print(format_table(results))
    print(f"machine speed (a fixed loop, lower is faster): {speed_before} ms before the pages, {speed_after} ms after")
    if load:
        print(load.format())
    path = out or f"bench-results-{size_name}.json"
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2)
    print(f"JSON written to {path}")
    return results, report


def main(create_app: Callable[[dict | None], Flask], argv: list[str] | None = None) -> None:
    """`python -m portal.bench`: the same run as `flask bench`, its options read from argv."""
    parser = argparse.ArgumentParser(description="Cohort Portal benchmark")
    parser.add_argument("--quick", action="store_true", help="a small size for CI")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", default=None)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--load-seconds", type=float, default=10.0,
                        help="how long to load the staff home through gunicorn (0 skips the load test)")
    args = parser.parse_args(argv)
    run(create_app, "quick" if args.quick else "full", repeat=args.repeat, out=args.out, reset=args.reset,
        load_seconds=args.load_seconds)
