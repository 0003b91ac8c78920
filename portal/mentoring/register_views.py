"""The portfolio register's pages, for every signed-in member of staff: searching the examples, sharing one
(holders and mentors), downloading its PDF, and withdrawing one's own."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from portal.mentoring import queries, register, rules
from portal.mentoring.blueprint import button_answer
from portal.mentoring.forms import ButtonForm, ExampleForm, RegisterSearchForm
from portal.mentoring.models import ExamplePortfolio
from portal.web.actions import attempt
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render

bp = Blueprint("register", __name__, url_prefix="/mentoring/register")


def _pathway_choices(blank: str | None = None):
    return ([(0, blank)] if blank else []) + [(p.id, p.name) for p in queries.pathways()]


def _share_allowed() -> bool:
    return rules.can_share_example(current_user, has_profile=queries.profile_of(current_user.id) is not None,
                                   awarded=queries.has_award(current_user.id))


@bp.route("")
@login_required
def index():
    search = RegisterSearchForm(request.args)
    search.pathway.choices = _pathway_choices("Any pathway")
    search.validate()
    rows = queries.examples(search.pathway.data or None if not search.pathway.errors else None,
                            search.job_role.data or "", search.area.data or "")
    return render("mentoring/register.html", "mentoring/_register_results.html", "mentoring-register-results",
                  search=search, rows=rows, can_share=_share_allowed(), suggestions=queries.area_vocabulary(),
                  button=ButtonForm(formdata=None))


@bp.route("/new", methods=["GET", "POST"])
@keeps_input_on_csrf_failure
@login_required
def share():
    if not _share_allowed():
        abort(403)
    form = ExampleForm()
    form.pathway.choices = _pathway_choices()
    status = 200
    if form.validate_on_submit():
        upload = form.pdf.data
        data = None
        filename = ""
        if upload and getattr(upload, "filename", ""):
            # One byte over the limit is enough for the service to say the file is too large.
            data = upload.stream.read(register.MAX_UPLOAD_BYTES + 1)
            filename = upload.filename
        if attempt(lambda: register.share_example(
                current_user, pathway_id=form.pathway.data, job_role=form.job_role.data,
                specialist_areas=form.specialist_areas.data or "", summary=form.summary.data,
                link_url=form.link_url.data or "", pdf=data, filename=filename), form=form, field="link_url"):
            flash("Thank you: your example is in the portfolio register.", "success")
            return redirect(url_for("register.index"), 303)
        status = 422
    elif request.method == "POST":
        status = 422
    return render("mentoring/share.html", form=form, suggestions=queries.area_vocabulary(), http_status=status)


@bp.route("/<int:example_id>/file")
@login_required
def example_file(example_id: int):
    example = get_or_404(ExamplePortfolio, example_id)
    path = register.example_file(example)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=example.original_filename or "portfolio.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:example_id>/withdraw", methods=["POST"])
@login_required
def withdraw_example(example_id: int):
    example = get_or_404(ExamplePortfolio, example_id)
    if not rules.can_withdraw_example(current_user, example):
        abort(403)
    return button_answer(ButtonForm().validate_on_submit(), lambda: register.withdraw_example(current_user, example),
                         url_for("register.index"), "Your example is withdrawn and its file deleted.")
