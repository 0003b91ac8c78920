"""Timing pages through the app: median and 95th percentile, SQL queries and bytes per request."""
from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from sqlalchemy import event

from portal.extensions import db


@dataclass
class PageResult:
    name: str
    url: str
    status: int
    median_ms: float
    p95_ms: float
    queries: int
    bytes: int

    def as_dict(self) -> dict:
        return asdict(self)


class QueryCounter:
    """Counts SQL statements sent on the app's engine while active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _on_execute(self, *_args, **_kwargs):
        self.count += 1

    def __enter__(self):
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


# The engine to count on; set by the runner (requests run outside any app context).
ENGINE = None


@contextmanager
def count_queries():
    counter = QueryCounter(ENGINE if ENGINE is not None else db.engine)
    with counter:
        yield counter


def csrf_token(html: str) -> str:
    """The CSRF token a page hands to htmx (base.html's data-hx-headers)."""
    match = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Request:
    """One page to time: who asks (a test client) for what."""

    name: str
    client: object
    url: str
    method: str = "GET"
    data: dict | None = None

    def send(self):
        if self.method == "GET":
            return self.client.get(self.url)
        return self.client.post(self.url, data=self.data)


def time_requests(requests: list[Request], repeat: int = 30) -> list[PageResult]:
    """Time every request `repeat` times, in rounds of one each, after one untimed warm-up each and one
    counted for its SQL queries.

    Rounds rather than one page at a time: a few seconds in which the machine runs slower then fall on
    every page alike, instead of on whichever page was being timed.
    """
    responses, queries = {}, {}
    for request in requests:
        request.send()
        with count_queries() as counter:
            responses[request.name] = request.send()
        queries[request.name] = counter.count
    timings: dict[str, list[float]] = {request.name: [] for request in requests}
    for _ in range(repeat):
        for request in requests:
            start = time.perf_counter()
            responses[request.name] = request.send()
            timings[request.name].append((time.perf_counter() - start) * 1000)
    return [PageResult(name=r.name, url=r.url, status=responses[r.name].status_code,
                       median_ms=round(statistics.median(timings[r.name]), 2),
                       p95_ms=round(percentile(timings[r.name], 95), 2), queries=queries[r.name],
                       bytes=len(responses[r.name].get_data())) for r in requests]


def time_callable(name: str, func, repeat: int = 5) -> PageResult:
    """Time a service call (e.g. matching) the same way as a page."""
    func()
    timings = []
    with count_queries() as counter:
        func()
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        timings.append((time.perf_counter() - start) * 1000)
    return PageResult(name=name, url="(service)", status=0, median_ms=round(statistics.median(timings), 2),
                      p95_ms=round(percentile(timings, 95), 2), queries=counter.count, bytes=0)


def format_table(results: list[PageResult]) -> str:
    header = f"{'page':<28} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>9}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.name:<28} {r.status:>6} {r.median_ms:>10.2f} {r.p95_ms:>8.2f} {r.queries:>8} {r.bytes:>9}")
    return "\n".join(lines)


def machine_speed() -> float:
    """Milliseconds a fixed piece of pure-Python work takes now: the same on a steady machine, so a
    run that reports a higher figure was timed while the machine ran slower."""
    start = time.perf_counter()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return round((time.perf_counter() - start) * 1000, 1)
