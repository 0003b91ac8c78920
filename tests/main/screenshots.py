"""Write the README's screenshots: each demo role's home at 1280 and 390 px, from a fresh demo institution.

    .venv/bin/python -m tests.main.screenshots          # writes docs/screenshots/home-<role>-<width>.png

The demo is loaded into a throwaway SQLite database and served on a free local port; chromium (the same
one the browser tests use) signs in as each demo login through the real form and takes a full-page shot.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from portal import create_app
from portal.demo import DEMO_PASSWORD, load_demo
from portal.extensions import db
from tests.conftest import CHROMIUM, _test_config

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ROLES = {"staff": "staff1@example.ac.uk", "panel": "panel1@example.ac.uk", "mentor": "mentor1@example.ac.uk",
         "lead": "lead@example.ac.uk"}
WIDTHS = (1280, 390)


def _serve_demo(folder: Path):
    os.environ.setdefault("PORTAL_INSTANCE_PATH", str(folder / "instance"))
    app = create_app(_test_config(folder, "sqlite:///" + str(folder / "demo.sqlite3")))
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> list[Path]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the list of files
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as folder:
        server = _serve_demo(Path(folder))
        origin = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                for role, email in ROLES.items():
                    for width in WIDTHS:
                        context = browser.new_context(base_url=origin, viewport={"width": width, "height": 900})
                        page = context.new_page()
                        page.goto("/auth/sign-in")
                        page.get_by_label("Email address").fill(email)
                        page.get_by_label("Password").fill(DEMO_PASSWORD)
                        page.get_by_role("button", name="Sign in").click()
                        page.wait_for_url(lambda url: "/auth/sign-in" not in url)
                        page.goto("/")
                        target = OUT / f"home-{role}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                        context.close()
                browser.close()
        finally:
            server.shutdown()
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
