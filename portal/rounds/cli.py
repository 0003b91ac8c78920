"""`flask --app wsgi rounds advance`: store the moves the clock made (rounds open and close on time)."""
from __future__ import annotations

from portal.jobs import job_command
from portal.rounds.clock import advance_rounds, describe

rounds_cli = job_command("rounds", "Rounds and their clock.", "advance", advance_rounds, describe,
                         help="Open and close rounds whose times have come and tell the owners of unsubmitted "
                              "drafts; safe to run as often as you like (every minute from cron).")
