"""`flask --app wsgi retention run`: anonymise proposals that were not selected, after RETENTION_MONTHS."""
from __future__ import annotations

from portal.jobs import job_command
from portal.privacy.services import run_retention

retention_cli = job_command(
    "retention", "Data retention.", "run", run_retention,
    lambda count: f"anonymised {count} proposal(s)",
    help="Anonymise unselected proposals decided more than RETENTION_MONTHS (default 12) ago.")
