"""Office-hours pages for everyone: a block's slots by day, and joining or leaving its waitlist."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, request, url_for
from flask_login import current_user, login_required

from portal.auth.forms import ButtonForm
from portal.db_types import utcnow
from portal.schedule import queries
from portal.schedule.blueprint import booking_context, bp
from portal.schedule.models import BookingStatus, OfficeHoursBlock, SessionStatus
from portal.schedule.office_hours import join_block_waitlist, leave_block_waitlist
from portal.schedule.rules import can_see_session, can_take_register, hosts_office_hours
from portal.timeutil import to_local
from portal.web.actions import change_then_redirect
from portal.web.authz import get_or_404
from portal.web.htmx import render


@bp.route("/office-hours/<int:block_id>")
@login_required
def block_page(block_id: int):
    block = get_or_404(OfficeHoursBlock, block_id)
    viewer = queries.viewer_for(current_user)
    now = utcnow()
    slots = [s for s in block.sessions if can_see_session(viewer, s)]
    if not slots:
        abort(404)
    mine = queries.bookings_by_session(current_user.id, [s.id for s in slots])
    days: dict[date, list] = {}
    for slot in slots:
        if slot.ends_at <= now - timedelta(days=1):
            continue
        days.setdefault(to_local(slot.starts_at).date(), []).append(booking_context(slot, mine.get(slot.id), viewer, now))
    future = [s for s in slots if s.status == SessionStatus.SCHEDULED and s.starts_at > now]
    waiting = [e for e in queries.block_waitlist(block.id)]
    on_waitlist = any(e.user_id == current_user.id for e in waiting)
    held = sum(1 for b in mine.values() if b.status == BookingStatus.BOOKED and b.session.status == SessionStatus.SCHEDULED)
    return render("schedule/block.html", block=block, days=days, full=bool(future) and all(s.is_full for s in future),
                  on_waitlist=on_waitlist, waiting_count=len(waiting), held=held,
                  hosting=hosts_office_hours(viewer, slots[0]),
                  can_register=can_take_register(viewer, slots[0]), waiting=waiting if can_take_register(viewer, slots[0]) else [])


@bp.route("/office-hours/<int:block_id>/waitlist", methods=["POST"])
@login_required
def block_waitlist(block_id: int):
    block = get_or_404(OfficeHoursBlock, block_id)
    viewer = queries.viewer_for(current_user)
    if not any(can_see_session(viewer, s) for s in block.sessions):
        abort(404)
    leave = request.form.get("action") == "leave"
    change = leave_block_waitlist if leave else join_block_waitlist
    return change_then_redirect(
        lambda: change(current_user, block), url_for("schedule.block_page", block_id=block.id),
        "You have left the waitlist." if leave else
        "You are on the waitlist: the first slot that frees up is yours, and we will email you.",
        valid=ButtonForm().validate_on_submit(), duplicate="You are already on the waitlist.")
