"""The panel's pages: its front page here, and the view modules whose routes register on the one blueprint.

Lead set-up and assignments (setup_views), member conflicts and scoring (member_views), lead moderation,
decisions and exports (moderation_views), the applicant's outcome (outcome_views).
"""
from __future__ import annotations

from flask_login import current_user

from portal.panel import member_views, moderation_views, outcome_views, queries, setup_views  # noqa: F401 (routes)
from portal.panel.blueprint import bp, panel_required
from portal.web.htmx import render

__all__ = ["bp"]


@bp.route("/")
@panel_required
def index():
    rounds = queries.rounds_for(current_user)
    member_of = {r.id for r in rounds if queries.is_member(r.id, current_user.id)}
    return render("panel/index.html", rounds=rounds, member_of=member_of)
