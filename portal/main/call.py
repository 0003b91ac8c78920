"""Public call pages: the page a university links from its own news post, one per announced round.

No sign-in and no personal data: the scheme, the pathways with their fees and eligibility, funded places,
the exact opening and closing times, the intro sessions and the round's public calendar feed.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.db_types import utcnow
from portal.main import calls
from portal.main.call_forms import WhichPathwayForm
from portal.rounds import guidance
from portal.web.htmx import render

bp = Blueprint("calls", __name__, url_prefix="/calls")

# The htmx target of the "Which pathway?" answer, swapped in place of a full page load.
PATHWAY_TARGET = "calls-pathway"


@bp.route("/")
def index():
    return render_template("main/calls.html", calls=calls.open_calls(utcnow()))


@bp.route("/<int:round_id>")
def call(round_id: int):
    call_ = calls.call_or_404(round_id, utcnow())
    form = WhichPathwayForm(request.args)
    years, leadership = form.answer()
    suggestion = guidance.suggest(call_.round.pathways, years, leadership) if call_.round.pathways else None
    return render("main/call.html", "main/_call_pathway.html", PATHWAY_TARGET, call=call_, form=form,
                  suggestion=suggestion, asked="years" in request.args, describe=guidance.describe_eligibility)


def welcome():
    """The signed-out home: what the scheme is, and the calls open now or announced."""
    return render_template("main/welcome.html", calls=calls.open_calls(utcnow()))
