"""Scheduled jobs as commands: `flask --app wsgi <group> <command>`, run from cron."""
from __future__ import annotations

from typing import Any, Callable

import click
from flask.cli import with_appcontext

from portal.extensions import db


def job_command(group: str, group_help: str, command: str, run: Callable[[], Any],
                report: Callable[[Any], str], help: str) -> click.Group:
    """A command group with one job: it runs the service in the app context, commits what it did in
    one transaction, and prints the service's report in a line cron can mail."""
    cli = click.Group(group, help=group_help)

    @cli.command(command, help=help)
    @with_appcontext
    def run_job():
        result = run()
        db.session.commit()
        click.echo(report(result))

    return cli
