"""Command-line entry points; thin wrappers over services."""
from __future__ import annotations

import os
from typing import Callable

import click
from flask import Flask

from portal.auth.services import create_lead, find_user_by_email
from portal.bench.run import run as run_bench
from portal.demo import DEMO_LOGINS, DemoRefused, load_demo
from portal.outbox.services import send_pending
from portal.panel.cli import panel_cli
from portal.privacy.cli import retention_cli
from portal.reminders.cli import reminders_cli
from portal.rounds.cli import rounds_cli
from portal.web.actions import attempt


def register_cli(app: Flask, make_app: Callable[[dict | None], Flask]) -> None:
    """Add the portal's commands to `flask`; make_app is the app factory (the benchmark builds its own app)."""

    @app.cli.command("create-lead")
    @click.argument("email")
    @click.option("--name", default=None, help="Full name for a new account.")
    @click.option("--password", default=None, help="Password for a new account (prompted when omitted).")
    def create_lead_command(email, name, password):
        """Make EMAIL a programme lead, creating the account if needed."""
        if find_user_by_email(email) is None and not password:
            password = click.prompt("Password for the new account", hide_input=True, confirmation_prompt=True)
        done = attempt(lambda: create_lead(email, name, password))
        if not done:
            raise click.ClickException(done.error)
        user, created = done.value
        click.echo(f"{'Created' if created else 'Updated'} {user.email}: programme lead.")

    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Load only into an empty database; otherwise just print the logins.")
    def demo_command(if_empty):
        """Fill an empty database with a demo institution and print one login per role."""
        try:
            logins = load_demo()
        except DemoRefused as exc:
            if not if_empty:
                raise click.ClickException(str(exc))
            click.echo("The database already has data; the demo was not loaded again. Demo logins:")
            logins = DEMO_LOGINS
        else:
            click.echo("Demo institution loaded. Sign in with:")
        for role, email, password in logins:
            click.echo(f"  {role:<16} {email:<36} {password}")

    @app.cli.command("demo-logins")
    def demo_logins_command():
        """Print the demo logins again (they are fixed)."""
        for role, email, password in DEMO_LOGINS:
            click.echo(f"  {role:<16} {email:<36} {password}")

    @app.cli.command("bench")
    @click.option("--quick", is_flag=True, help="A small size for CI.")
    @click.option("--repeat", default=30, show_default=True, help="Timed requests per page.")
    @click.option("--out", default=None, help="Where to write the JSON results.")
    @click.option("--reset", is_flag=True, help="Wipe a non-empty benchmark database first.")
    @click.option("--load-seconds", default=10.0, show_default=True,
                  help="How long to load the staff home through gunicorn (0 skips the load test).")
    def bench_command(quick, repeat, out, reset, load_seconds):
        """Build a synthetic large institution in a fresh database, time the key pages and load-test one."""
        run_bench(make_app, "quick" if quick else "full", database_url=app.config["SQLALCHEMY_DATABASE_URI"]
                  if os.environ.get("DATABASE_URL") else None, repeat=repeat, out=out, reset=reset,
                  load_seconds=load_seconds)

    app.cli.add_command(panel_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(retention_cli)

    outbox = click.Group("outbox", help="The email outbox.")
    app.cli.add_command(outbox)

    @outbox.command("send")
    @click.option("--limit", default=200, show_default=True)
    def outbox_send(limit):
        """Send due messages (run every minute from cron or a systemd timer)."""
        # Not a job_command: the sender commits each claim and each result itself (so two senders
        # never send one message twice), takes --limit, and has a second answer for no mail server.
        report = send_pending(limit=limit)
        if report.skipped_no_server:
            click.echo("No MAIL_SERVER configured: messages stay in the outbox (leads can read them).")
            return
        if report.locked_out:
            click.echo("Another sender is running: this run sent nothing.")
            return
        line = f"sent {report.sent}, will retry {report.retried}, failed {report.failed}"
        if report.reclaimed:
            line += f"; {report.reclaimed} left sending by a stopped sender queued again"
        if report.stopped:
            line += f"; the mail server could not be reached, so the run stopped ({report.deferred} waiting)"
        click.echo(line)
