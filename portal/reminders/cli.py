"""`flask --app wsgi reminders send`: queue due reminders (the outbox sender delivers them)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db

reminders_cli = click.Group("reminders", help="Reminder emails.")


@reminders_cli.command("send")
@with_appcontext
def send_command():
    """Queue every reminder that is due now; safe to run as often as you like."""
    from portal.reminders.services import send_reminders
    report = send_reminders()
    db.session.commit()
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(report.queued.items())) or "none due"
    click.echo(f"queued {report.total} reminder(s): {parts}; {report.opted_out} skipped (reminders switched off)")
