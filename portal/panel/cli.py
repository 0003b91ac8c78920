"""`flask --app wsgi panel lapse-offers`: offers from the waitlist not answered in time pass down the list."""
from __future__ import annotations

from portal.jobs import job_command
from portal.panel.deciding import lapse_due_offers

panel_cli = job_command(
    "panel", "Selection panel jobs.", "lapse-offers", lapse_due_offers,
    lambda count: f"{count} unanswered offer(s) lapsed",
    help="Lapse every place offered and not accepted by its accept-by date; offer each on to the waitlist.")
