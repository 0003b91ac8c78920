"""`flask --app wsgi reminders send`: queue due reminders (the outbox sender delivers them)."""
from __future__ import annotations

from portal.jobs import job_command
from portal.reminders.services import send_reminders


def _describe(report) -> str:
    parts = ", ".join(f"{kind} {n}" for kind, n in sorted(report.queued.items())) or "none due"
    return f"queued {report.total} reminder(s): {parts}; {report.opted_out} skipped (reminders switched off)"


reminders_cli = job_command("reminders", "Reminder emails.", "send", send_reminders, _describe,
                            help="Queue every reminder that is due now; safe to run as often as you like.")
