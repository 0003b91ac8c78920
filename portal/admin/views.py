"""Lead pages: people and roles, the email outbox, the audit log."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user

from portal.admin import queries
from portal.admin.forms import AuditFilterForm, OutboxFilterForm, PeopleSearchForm, RoleChangeForm
from portal.auth import services as auth_services
from portal.auth.access import lead_required
from portal.auth.forms import ButtonForm
from portal.auth.models import Role, User
from portal.extensions import db
from portal.outbox.models import OutboxMessage, OutboxStatus
from portal.outbox.services import retry_message
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.htmx import render
from portal.web.pagination import paginate
from portal.web.redirects import back_or

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/people")
@lead_required
def people():
    search = PeopleSearchForm(request.args)
    page = paginate(queries.people(search.value("q", ""), search.value("role", "")))
    return render("admin/people.html", "admin/_people_table.html", "admin-people-table",
                  search=search, page=page, roles=list(Role), role_form=RoleChangeForm())


@bp.route("/people/<int:user_id>/roles", methods=["POST"])
@lead_required
def change_role(user_id: int):
    person = get_or_404(User, user_id)
    form = RoleChangeForm()
    if form.validate_on_submit():
        change = auth_services.grant_role if form.action.data == "grant" else auth_services.revoke_role
        error = attempt(lambda: change(current_user, person, Role(form.role.data))).error
    else:
        error = "That change could not be made; reload the page and try again."
    if error is None:
        message = f"Roles of {person.name} updated."
    else:
        message = error
    if request.htmx and not request.htmx.boosted:
        return render("admin/people.html", "admin/_person_row.html", None, person=person, roles=list(Role),
                      role_form=RoleChangeForm(), row_message=message, row_error=error is not None)
    flash(message, "error" if error else "success")
    return redirect(back_or(url_for("admin.people")), 303)


@bp.route("/people/<int:user_id>/sign-out-everywhere", methods=["POST"])
@lead_required
def sign_out_everywhere(user_id: int):
    """End every sign-in of one person on every device (a lost laptop, a person leaving)."""
    person = get_or_404(User, user_id)
    return change_then_redirect(lambda: auth_services.sign_out_everywhere(current_user, person),
                                url_for("admin.people", q=person.email),
                                lambda ended: f"{person.name} is signed out everywhere ({ended} sign-ins ended).",
                                valid=ButtonForm().validate_on_submit())


@bp.route("/outbox")
@lead_required
def outbox():
    filters = OutboxFilterForm(request.args)
    status = filters.value("status", "")
    page = paginate(queries.outbox_messages(status))
    return render("admin/outbox.html", page=page, status=status, statuses=list(OutboxStatus), filters=filters)


@bp.route("/outbox/<int:message_id>")
@lead_required
def outbox_message(message_id: int):
    message = get_or_404(OutboxMessage, message_id)
    return render("admin/outbox_message.html", message=message, form=ButtonForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@lead_required
def outbox_retry(message_id: int):
    message = get_or_404(OutboxMessage, message_id)
    if ButtonForm().validate_on_submit() and message.status == OutboxStatus.FAILED:
        retry_message(message)
        db.session.commit()
        flash("The message is queued to be sent again.", "success")
    return redirect(url_for("admin.outbox_message", message_id=message.id), 303)


@bp.route("/audit")
@lead_required
def audit():
    filters = AuditFilterForm(request.args)
    action, actor, object_type = (filters.value(name, "") for name in ("action", "actor", "object_type"))
    page = paginate(queries.audit_events(action, actor, object_type))
    return render("admin/audit.html", page=page, action=action, actor=actor, object_type=object_type,
                  filters=filters)


# The view modules that register their routes on this blueprint (they import `bp` from here).
from portal.admin import invitations_views  # noqa: E402,F401
