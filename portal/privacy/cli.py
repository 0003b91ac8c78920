"""`flask --app wsgi retention run`: remove personal data past its retention period (privacy/services.py)."""
from __future__ import annotations

from portal.jobs import job_command
from portal.privacy.services import run_retention

retention_cli = job_command(
    "retention", "Data retention.", "run", run_retention,
    lambda done: (f"anonymised {done.proposals} proposal(s); blanked {done.outbox_messages} outbox message(s); "
                  f"cleared {done.audit_events} audit summary(ies); deleted {done.sign_in_sessions} ended sign-in(s)"),
    help="Anonymise unselected and waitlisted proposals decided more than RETENTION_MONTHS (default 12) ago, "
         "blank mail sent more than OUTBOX_RETENTION_DAYS (90) ago and clear audit summaries older than "
         "AUDIT_RETENTION_MONTHS (24), and delete sign-ins that ended more than SIGN_IN_RETENTION_DAYS (90) ago.")
