"""The lead's invitations of external people: the list (pending, used, expired) and the invite form."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from portal.admin import queries
from portal.admin.forms import InviteForm
from portal.admin.views import bp
from portal.auth import invitations as invitation_services
from portal.auth.access import lead_required
from portal.auth.models import Role
from portal.web.actions import attempt
from portal.web.htmx import render
from portal.web.pagination import paginate


def _page(form: InviteForm, status: int = 200):
    page = paginate(queries.invitations())
    return render("admin/invitations.html", http_status=status, form=form, page=page)


@bp.route("/invitations")
@lead_required
def invitations():
    return _page(InviteForm())


@bp.route("/invitations", methods=["POST"])
@lead_required
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        role = Role(form.role.data) if form.role.data else None
        done = attempt(lambda: invitation_services.invite(current_user, form.email.data, form.name.data, role,
                                                          form.account_expires_on.data), form=form, field="email")
        if done:
            flash(f"Invitation sent to {done.value.email}.", "success")
            return redirect(url_for("admin.invitations"), 303)
    return _page(form, 400 if form.errors else 200)
