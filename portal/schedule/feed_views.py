"""Calendar feed pages: a person's feed links and every .ics answer.

Feed links are created, revoked, regenerated and given a reminder here; the .ics answers are one session,
a personal or cohort feed found by its secret token, and a round's public feed.
"""
from __future__ import annotations

import unicodedata

from flask import Response, abort, current_app, flash, redirect, session, url_for
from flask_login import current_user, login_required

from portal.auth.forms import ButtonForm
from portal.db_types import utcnow
from portal.rounds.models import Round, RoundState
from portal.schedule import ical, queries
from portal.schedule.blueprint import bp, visible_session_or_404
from portal.schedule.calendar_response import calendar_response
from portal.schedule.feeds import (
    create_feed_token, regenerate_feed_token, revoke_feed_token, set_feed_alarm, touch_feed,
)
from portal.schedule.forms import AlarmForm, FeedForm
from portal.schedule.hooks import schedule_hooks
from portal.schedule.links import feed_links, round_feed_links, round_url, session_url
from portal.schedule.models import FeedToken
from portal.schedule.round_deadlines import deadline_event, round_deadlines
from portal.web.actions import attempt, change_then_redirect
from portal.web.authz import get_or_404
from portal.web.csrf import keeps_input_on_csrf_failure
from portal.web.htmx import render


# ---------------------------------------------------------------- my feed links

@bp.route("/feeds")
@login_required
def feeds():
    return _feeds_page(FeedForm())


def _feed_scopes(viewer) -> list[tuple[str, str]]:
    scopes = [("personal", "Everything of mine (bookings, my cohort's programme, what I host)")]
    scopes += [(f"cohort-{r.id}", f"The cohort programme of {r.name}") for r in queries.cohort_rounds(viewer)]
    return scopes


def _feeds_page(form, status=200):
    viewer = queries.viewer_for(current_user)
    form.scope.choices = _feed_scopes(viewer)
    tokens = queries.feed_tokens_of(current_user.id)
    active = [t for t in tokens if t.is_active]
    # Only the hash of a link is kept: a new link is shown on the one page that follows its creation.
    shown = session.pop(NEW_LINK, None)
    new_link = None
    if isinstance(shown, dict) and any(t.id == shown.get("id") for t in active):
        new_link = {"id": shown["id"], "urls": feed_links(str(shown.get("secret", "")))}
    return render("schedule/feeds.html", form=form, tokens=tokens, new_link=new_link,
                  alarm_forms={t.id: AlarmForm(formdata=None, alarm_minutes=t.alarm_minutes) for t in active},
                  button=ButtonForm(), http_status=status,
                  round_feeds=[(r, round_feed_links(r.id)) for r in queries.feed_rounds(viewer)])


@bp.route("/feeds", methods=["POST"])
@keeps_input_on_csrf_failure
@login_required
def create_feed():
    form = FeedForm()
    viewer = queries.viewer_for(current_user)
    form.scope.choices = _feed_scopes(viewer)
    if form.validate_on_submit():
        scope, round_id = form.scope.data or "personal", None
        if scope.startswith("cohort-"):
            scope, round_id = "cohort", int(scope.split("-", 1)[1]) if scope.split("-", 1)[1].isdigit() else -1
        made = attempt(lambda: create_feed_token(current_user, form.label.data or "", scope, round_id),
                       form=form, field="scope")
        if made:
            _show_once(made.value)
            flash("Your new calendar link is ready below. Copy it or subscribe now: it is shown only this once.",
                  "success")
            return redirect(url_for("schedule.feeds"), 303)
    return _feeds_page(form, 422)


# The session key that carries a new link's secret to the one page that shows it.
NEW_LINK = "feed_link_shown_once"


def _show_once(token: FeedToken) -> None:
    """Carry a new link's secret, in the person's own session, to the next feeds page (which drops it)."""
    session[NEW_LINK] = {"id": token.id, "secret": token.token}


def _my_token_or_404(token_id: int) -> FeedToken:
    token = get_or_404(FeedToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    return token


def _feed_token_action(token_id: int, service, done: str):
    """Revoke or regenerate one of the person's own feed links, then back to the feeds page."""
    token = _my_token_or_404(token_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("schedule.feeds"), 303)

    def change():
        fresh = service(current_user, token)
        if fresh.token:
            _show_once(fresh)
        return fresh

    return change_then_redirect(change, url_for("schedule.feeds"), lambda _: done.format(label=token.label))


@bp.route("/feeds/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_feed(token_id: int):
    return _feed_token_action(token_id, revoke_feed_token,
                              "“{label}” is revoked: calendars using that link stop updating.")


@bp.route("/feeds/<int:token_id>/regenerate", methods=["POST"])
@login_required
def regenerate_feed(token_id: int):
    return _feed_token_action(token_id, regenerate_feed_token,
                              "“{label}” has a new link, shown below only this once; the old one no longer works.")


@bp.route("/feeds/<int:token_id>/alarm", methods=["POST"])
@login_required
def feed_alarm(token_id: int):
    token = _my_token_or_404(token_id)
    form = AlarmForm()
    return change_then_redirect(lambda: set_feed_alarm(current_user, token, form.alarm_minutes.data),
                                url_for("schedule.feeds"),
                                "Reminder setting saved; calendars pick it up at their next refresh.",
                                valid=form.validate_on_submit() and token.is_active,
                                invalid="Choose one of the reminder times offered.")


# ---------------------------------------------------------------- iCal answers

# The body of a revoked feed's 410: calendar apps read only the status; a person who opens it reads this.
GONE = "This calendar link has been revoked. Create a new one under Schedule, Calendar feeds.\n"

def _events(sessions) -> list[ical.CalendarEvent]:
    return [ical.event_from_session(s, session_url(s.id)) for s in sessions]


def _closing_events(viewer, now, round_id: int | None = None) -> list[ical.CalendarEvent]:
    """Rounds' closing times for this viewer (None: a round's public feed), back as far as feeds go."""
    return [deadline_event(d, round_url(d.round_id))
            for d in round_deadlines(viewer, now, start=now - queries.FEED_HISTORY, round_id=round_id)]


@bp.route("/sessions/<int:session_id>.ics")
@login_required
def session_ics(session_id: int):
    session, _viewer = visible_session_or_404(session_id)
    # ASCII only: a WSGI server sends headers as Latin-1, and a title in any script must still download.
    # Accents are folded away (ü → u); letters with no ASCII form are dropped.
    ascii_title = unicodedata.normalize("NFKD", session.title.lower()).encode("ascii", "ignore").decode()
    slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_title).split())[:40] or "session"
    return calendar_response(_events([session]), name=session.display_title, filename=f"{slug}.ics",
                             refresh=None)


@bp.route("/feed/<token>.ics")
def feed(token: str):
    """A personal or cohort feed, found by its secret token alone (calendar apps send no cookies).

    A revoked link answers 410 Gone, which tells calendar apps to stop polling it; an unknown one 404.
    """
    feed_token = queries.feed_token_with_secret(token)
    if feed_token is None:
        abort(404)
    if not feed_token.is_active:
        return Response(GONE, 410, mimetype="text/plain")
    now = utcnow()
    owner = feed_token.user
    if not owner.is_active_account:
        abort(404)
    if feed_token.scope == "cohort":
        viewer = queries.viewer_for(owner)
        if not (viewer.is_lead or feed_token.round_id in viewer.cohort_rounds):
            abort(404)
        events = _events(queries.cohort_feed_sessions(feed_token.round_id, now))
        name = f"{feed_token.round.name}: cohort programme"
    else:
        events = _events(queries.personal_feed_sessions(owner, now))
        events.extend(_closing_events(queries.viewer_for(owner), now))
        for events_of in schedule_hooks().feed_events:
            events.extend(events_of(owner))
        name = f"{current_app.config['SCHEME_NAME']}: {owner.name}"
    attempt(lambda: touch_feed(feed_token, now))
    return calendar_response(events, name=name, filename="calendar.ics", alarm=feed_token.alarm_minutes)


@bp.route("/rounds/<int:round_id>/public.ics")
def round_feed(round_id: int):
    """The public feed of a round: its intro sessions and deadlines (no sign-in: anyone may subscribe)."""
    round_ = get_or_404(Round, round_id)
    if round_.state == RoundState.DRAFT:
        abort(404)
    now = utcnow()
    events = _events(queries.public_round_sessions(round_.id, now)) + _closing_events(None, now, round_.id)
    return calendar_response(events, name=f"{round_.name}: intro sessions and deadlines", filename="round.ics",
                             private=False)
