"""`flask --app wsgi retention run`: anonymise proposals that were not selected, after RETENTION_MONTHS."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db

retention_cli = click.Group("retention", help="Data retention.")


@retention_cli.command("run")
@with_appcontext
def run_command():
    """Anonymise unselected proposals decided more than RETENTION_MONTHS (default 12) ago."""
    from portal.privacy.services import run_retention
    count = run_retention()
    db.session.commit()
    click.echo(f"anonymised {count} proposal(s)")
