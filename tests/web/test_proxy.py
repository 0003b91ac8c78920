"""Behind a proxy, through gunicorn with two workers: the forwarded client, scheme and host are believed
(PORTAL_TRUSTED_PROXIES), the sign-in limit is shared by both workers through Redis, and HSTS goes out over
forwarded https. Production refuses a memory:// limiter store unless it runs one worker.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
import requests

from portal import create_app

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "proxy-test-secret-key-that-is-long-enough-0123456789"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(tmp_path, **extra) -> dict:
    env = dict(os.environ, PORTAL_ENV="production", SECRET_KEY=SECRET, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"),
               DATABASE_URL="sqlite:///" + str(tmp_path / "portal.sqlite3"), PORTAL_BASE_URL="https://portal.example",
               PORTAL_TRUSTED_PROXIES="1", PORTAL_RATELIMIT_STORAGE_URI=REDIS_URL,
               PORTAL_RATELIMIT_KEY_PREFIX=f"proxy-test-{uuid.uuid4().hex}", PORTAL_LOGIN_RATE_LIMIT="3 per minute")
    env.pop("TEST_DATABASE_URL", None)
    env.update(extra)
    return env


@pytest.fixture
def gunicorn(tmp_path):
    """The portal under gunicorn, two sync workers, its access log naming the worker's pid for each request."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (`make test` starts one where it can)")
    env = _env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    port, log = _free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %({x-forwarded-for}i)s %(m)s %(U)s %(s)s", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _sign_in_attempt(base: str, client: str) -> int:
    """One wrong sign-in from `client` (as the proxy forwards it), with a real form and CSRF token."""
    headers = {"X-Forwarded-For": client, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "portal.example"}
    page = requests.get(base + "/auth/sign-in", headers=headers, timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    # The session cookie is Secure (production), so a client over plain http would not send it back: send it by hand.
    cookie = "; ".join(f"{c.name}={c.value}" for c in page.cookies)
    # Over https Flask-WTF also wants a Referer from this very host (the forwarded one).
    response = requests.post(base + "/auth/sign-in", timeout=10,
                             headers={**headers, "Cookie": cookie, "Referer": "https://portal.example/auth/sign-in"},
                             data={"csrf_token": token, "email": "nobody@example.ac.uk", "password": "wrong password"},
                             allow_redirects=False)
    return response.status_code


def _workers_that_answered(log: Path, client: str) -> set[str]:
    time.sleep(0.3)  # gunicorn writes the access log after answering
    return {line.split()[0] for line in log.read_text().splitlines()
            if line.split()[1:4] == [client, "POST", "/auth/sign-in"]}


def test_the_sign_in_limit_is_per_forwarded_client_and_shared_by_both_workers(gunicorn):
    base, log = gunicorn
    for attempt in range(5):
        client = f"203.0.113.{10 + attempt}"
        with ThreadPoolExecutor(3) as pool:  # three at once, so both workers take some
            allowed = list(pool.map(lambda _: _sign_in_attempt(base, client), range(3)))
        assert allowed == [400, 400, 400]
        if len(_workers_that_answered(log, client)) == 2:
            break
    else:
        pytest.fail("the two workers never shared one client's attempts")
    # The limit (3 a minute) was reached across both workers: the fourth try is refused by either.
    assert [_sign_in_attempt(base, client) for _ in range(3)] == [429, 429, 429]
    # Another client behind the same proxy is not locked out by the first.
    assert _sign_in_attempt(base, "198.51.100.7") == 400


def test_a_client_cannot_choose_its_own_address_past_the_one_trusted_proxy(gunicorn):
    base, _log = gunicorn
    client = "192.0.2.44"
    for _ in range(3):
        assert _sign_in_attempt(base, client) == 400
    # Prepending a made-up address changes nothing: only the last hop, the one the proxy added, is believed.
    assert _sign_in_attempt(base, f"10.9.9.9, {client}") == 429


def test_hsts_goes_out_over_forwarded_https_and_the_forwarded_host_is_used(gunicorn):
    base, _log = gunicorn
    secure = requests.get(base + "/auth/sign-in", timeout=10,
                          headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"})
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in secure.headers["Set-Cookie"]
    plain = requests.get(base + "/auth/sign-in", timeout=10, headers={"X-Forwarded-For": "192.0.2.1"})
    assert "Strict-Transport-Security" not in plain.headers
    moved = requests.get(base + "/schedule/", timeout=10, allow_redirects=False,
                         headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "portal.example"})
    assert moved.status_code in (302, 303) and moved.headers["Location"].startswith(
        ("https://portal.example/", "/"))


def test_production_refuses_a_memory_limiter_store_unless_it_runs_one_worker(tmp_path):
    config = {"ENV_NAME": "production", "SECRET_KEY": SECRET, "RATELIMIT_STORAGE_URI": "memory://",
              "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "p.sqlite3")}
    with pytest.raises(RuntimeError, match="memory://"):
        create_app(config)
    assert create_app({**config, "SINGLE_WORKER": True}).config["SINGLE_WORKER"] is True
    assert create_app({**config, "ENV_NAME": "development"})  # only production insists


def test_gunicorn_will_not_start_in_production_with_memory_storage(tmp_path):
    env = _env(tmp_path, PORTAL_RATELIMIT_STORAGE_URI="memory://")
    done = subprocess.run([str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{_free_port()}", "wsgi:app"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Refusing to start in production with RATELIMIT_STORAGE_URI=memory://" in done.stderr
