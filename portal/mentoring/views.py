"""Mentoring's pages: the hub here, the pair's pages (pair_views) and the lead's (lead_views), on one blueprint.

The composition root registers `bp` from here: importing this module is what puts every mentoring
route on it. The portfolio register is a blueprint of its own (register_views).
"""
from __future__ import annotations

from flask_login import current_user, login_required

from portal.mentoring import lead_views, pair_views, queries  # noqa: F401 (routes)
from portal.mentoring.blueprint import bp
from portal.web.htmx import render

__all__ = ["bp"]


@bp.route("/")
@login_required
def index():
    profile = queries.profile_of(current_user.id)
    return render("mentoring/index.html", profile=profile,
                  participating=bool(queries.participant_proposals(current_user.id)),
                  awarded=queries.has_award(current_user.id))
