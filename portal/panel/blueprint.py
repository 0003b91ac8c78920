"""The panel's one blueprint, the role check of its member pages, and the audited CSV download of its exports.

The view modules (setup_views, member_views, moderation_views, outcome_views) register their routes on
`bp`; views.py imports them all, and portal/blueprints.py registers `bp` from there.
"""
from __future__ import annotations

from flask import Blueprint, Response
from flask_login import current_user

from portal.audit.services import record
from portal.auth.access import roles_required
from portal.auth.models import Role
from portal.extensions import db
from portal.rounds.models import Round
from portal.web.csv import csv_response

bp = Blueprint("panel", __name__, url_prefix="/panel")

panel_required = roles_required(Role.PANEL)


def csv_download(rows, filename: str, round_: Round) -> Response:
    """Download a table (first row is the header) as Excel-safe CSV, and audit the export."""
    record(current_user, "export.csv", round_, summary=f"Downloaded {filename}")
    db.session.commit()
    return csv_response(filename, rows[0], rows[1:])
