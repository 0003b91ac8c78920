"""Load test: serve the app with gunicorn on loopback and drive one signed-in page as fast as it answers.

Issue 9's target: with 2 gunicorn workers on loopback, a staff home page holds at least 300 requests/s with no
errors. The client is the standard library's http.client, one cookie shared by every connection, a few threads per
client process (it shares the machine's cores with gunicorn, so it is kept simple and cheap).

    python -m portal.bench.load --database sqlite:////tmp/bench.sqlite3 --email staff1@example.ac.uk
"""
from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from portal.bench.data import BENCH_PASSWORD
from portal.bench.measure import csrf_token, percentile

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
# Text only a signed-in person's page carries (the sign-out form in the header).
SIGNED_IN_MARKER = b'action="/auth/sign-out"'


@dataclass
class LoadResult:
    url: str
    workers: int
    worker_class: str
    concurrency: int
    requests: int          # responses received (any status) plus requests that failed with an exception
    seconds: float
    errors: int            # non-200 responses, 200s without the expected content, and exceptions
    statuses: dict[int, int] = field(default_factory=dict)
    exceptions: dict[str, int] = field(default_factory=dict)
    content_ok: int = 0    # 200 responses whose body carried every marker
    median_ms: float = 0.0
    p95_ms: float = 0.0
    client_cpu_s: float = 0.0  # CPU the client used: how much it took from the server

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        out = asdict(self)
        out["requests_per_second"] = round(self.requests_per_second, 1)
        return out

    def format(self) -> str:
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())) or "none"
        server = f"gunicorn {self.workers} {self.worker_class} workers · " if self.workers else ""
        line = (f"load {self.url} · {server}{self.concurrency} connections: "
                f"{self.requests_per_second:.0f} req/s ({self.requests} in {self.seconds:.1f} s), "
                f"{self.errors} errors, median {self.median_ms:.1f} ms, p95 {self.p95_ms:.1f} ms "
                f"[status {statuses}]")
        if self.exceptions:
            line += " [exceptions " + ", ".join(f"{k}: {n}" for k, n in sorted(self.exceptions.items())) + "]"
        return line


# --- gunicorn -------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _server_env(database_url: str, instance_path: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_") and k not in ("SECRET_KEY",)}
    env.update({
        "DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": instance_path,
        # Given here so the two workers do not race to create instance/secret_key.
        "PORTAL_SECRET_KEY": secrets.token_hex(32),
        "PORTAL_RATELIMIT_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    })
    return env


class Gunicorn:
    """gunicorn serving wsgi:app in a subprocess; a context manager that always stops it."""

    def __init__(self, database_url: str, workers: int = 2, worker_class: str = "sync", threads: int = 1,
                 port: int | None = None, instance_path: str | None = None):
        self.port = port or _free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="portal-load-")
        self.log_path = Path(self._tmp.name) / "gunicorn.log"
        cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "-b", f"{HOST}:{self.port}",
               "--graceful-timeout", "5", "--log-level", "warning", "--backlog", "2048"]
        if worker_class == "gthread":
            cmd += ["--threads", str(threads)]
        self.cmd = cmd + ["wsgi:app"]
        self.env = _server_env(database_url, instance_path or self._tmp.name)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> None:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()  # SIGTERM: gunicorn's graceful shutdown
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> "Gunicorn":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- signing in (once; every connection shares the cookie) ------------------------------------------------------


def _cookies_from(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real form; returns the Cookie header value of the signed-in session."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/auth/sign-in")
        response = conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise RuntimeError(f"sign-in page answered {response.status}: {page[:300]}")
        _cookies_from(response, jar)
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": csrf_token(page)})
        conn.close()
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("POST", "/auth/sign-in", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        if response.status != 303:
            raise RuntimeError(f"sign-in failed for {email}: {response.status} {text[-1500:]}")
        _cookies_from(response, jar)
    finally:
        conn.close()
    return _cookie_header(jar)


# --- the client ---------------------------------------------------------------------------------------------------


def _drive(port: int, path: str, cookie: str, markers: tuple[bytes, ...], start_at: float, end_at: float,
           out: dict) -> None:
    """One connection: request until end_at, recording latencies, statuses and failures into out.

    http.client reopens the connection by itself whenever the server closes it (gunicorn's sync
    workers close after each response).
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": cookie}
    latencies = out["latencies"]
    statuses = out["statuses"]
    exceptions = out["exceptions"]
    clock = time.perf_counter
    now = time.monotonic()
    if start_at > now:
        time.sleep(start_at - now)
    content_ok = 0
    last = 0.0
    try:
        while time.monotonic() < end_at:
            began = clock()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                status, body = response.status, response.read()
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                conn.close()
                name = type(exc).__name__
                exceptions[name] = exceptions.get(name, 0) + 1
                last = time.monotonic()
                continue
            latencies.append(clock() - began)
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200 and all(marker in body for marker in markers):
                content_ok += 1
            last = time.monotonic()
    finally:
        conn.close()
        out["content_ok"] += content_ok
        out["last"] = max(out["last"], last)


def drive(port: int, cookie: str, path: str = "/", seconds: float = 10.0, concurrency: int = 4,
          markers: tuple[bytes, ...] = (SIGNED_IN_MARKER,), url_name: str | None = None, workers: int = 0,
          worker_class: str = "") -> LoadResult:
    """GET path on 127.0.0.1:port from `concurrency` connections (one thread each) for `seconds`."""
    start_at = time.monotonic() + 0.05
    end_at = start_at + seconds
    cpu = time.process_time()
    outs = [{"latencies": [], "statuses": {}, "exceptions": {}, "content_ok": 0, "last": 0.0}
            for _ in range(concurrency)]
    threads = [threading.Thread(target=_drive, args=(port, path, cookie, markers, start_at, end_at, out), daemon=True)
               for out in outs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(x for out in outs for x in out["latencies"])
    statuses = dict(sum((Counter(out["statuses"]) for out in outs), Counter()))
    exceptions = dict(sum((Counter(out["exceptions"]) for out in outs), Counter()))
    content_ok = sum(out["content_ok"] for out in outs)
    requests = len(latencies) + sum(exceptions.values())
    last = max(out["last"] for out in outs)
    elapsed = max(last - start_at, seconds) if requests else seconds
    return LoadResult(
        url=url_name or path, workers=workers, worker_class=worker_class, concurrency=concurrency,
        requests=requests, seconds=round(elapsed, 3), errors=requests - content_ok,
        statuses=statuses, exceptions=exceptions, content_ok=content_ok,
        median_ms=round(percentile(latencies, 50) * 1000, 2), p95_ms=round(percentile(latencies, 95) * 1000, 2),
        client_cpu_s=round(time.process_time() - cpu, 2))


def run_load(database_url: str, email: str, workers: int = 2, seconds: float = 10.0, concurrency: int = 4,
             path: str = "/", worker_class: str = "sync", threads: int = 1,
             warmup: int = 20, markers: tuple[bytes, ...] = (SIGNED_IN_MARKER,),
             password: str | None = None) -> LoadResult:
    """Serve database_url with gunicorn on loopback, sign `email` in, and GET `path` for `seconds`.

    Errors count non-200 answers, 200s missing any of `markers` (default: the signed-in page's sign-out form) and
    connection failures. The first `warmup` requests (template compilation, connection pools) are not counted.
    """
    if password is None:
        password = BENCH_PASSWORD
    with Gunicorn(database_url, workers=workers, worker_class=worker_class, threads=threads) as server:
        cookie = sign_in(server.port, email, password)
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        try:
            for _ in range(max(1, warmup)):
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                status, body = response.status, response.read()
                if status != 200 or not all(marker in body for marker in markers):
                    raise RuntimeError(f"GET {path} as {email} answered {status} without the expected content: "
                                       f"{body[:500]!r}\n{server.log()}")
        finally:
            conn.close()
        result = drive(server.port, cookie, path=path, seconds=seconds, concurrency=concurrency,
                       markers=markers, workers=workers, worker_class=worker_class)
        if result.errors and result.exceptions:
            log = server.log().strip()
            if log:
                print(f"gunicorn log (last lines):\n{log}", file=sys.stderr)
        return result


def main(argv: list[str] | None = None) -> LoadResult:
    parser = argparse.ArgumentParser(description="Load-test a signed-in page with gunicorn on loopback")
    parser.add_argument("--database", required=True, help="DATABASE_URL of a database the benchmark built")
    parser.add_argument("--email", required=True, help="who signs in (password: portal.bench.data.BENCH_PASSWORD)")
    parser.add_argument("--path", default="/")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")
    args = parser.parse_args(argv)
    result = run_load(args.database, args.email, workers=args.workers, seconds=args.seconds,
                      concurrency=args.concurrency, path=args.path,
                      worker_class=args.worker_class, threads=args.threads)
    print(result.format())
    return result


if __name__ == "__main__":
    main()
