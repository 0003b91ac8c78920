"""`flask --app wsgi panel lapse-offers`: offers from the waitlist not answered in time pass down the list."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db

panel_cli = click.Group("panel", help="Selection panel jobs.")


@panel_cli.command("lapse-offers")
@with_appcontext
def lapse_offers_command():
    """Lapse every place offered and not accepted by its accept-by date; offer each on to the waitlist."""
    from portal.panel.services import lapse_due_offers
    count = lapse_due_offers()
    db.session.commit()
    click.echo(f"{count} unanswered offer(s) lapsed")
