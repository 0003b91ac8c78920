"""Registers one blueprint per feature folder."""
from __future__ import annotations

from flask import Flask

from portal.admin.views import bp as admin_bp
from portal.auth.views import bp as auth_bp
from portal.dashboard.views import bp as dashboard_bp
from portal.main.call import bp as calls_bp
from portal.main.views import bp as main_bp
from portal.mentoring.calendar import meeting_events_for, submission_deadline_events_for
from portal.mentoring.register_views import bp as register_bp
from portal.mentoring.views import bp as mentoring_bp
from portal.panel.queries import criteria as panel_criteria
from portal.panel.queries import members as panel_members
from portal.panel.views import bp as panel_bp
from portal.privacy.views import bp as privacy_bp
from portal.proposals.cohort import participation
from portal.proposals.queries import FOR_ROUNDS as proposal_facts_for_rounds
from portal.proposals.views import bp as proposals_bp
from portal.reminders.round_closed import tell_draft_owners
from portal.rounds.hooks import RoundHooks
from portal.rounds.hooks import provide as provide_round_hooks
from portal.rounds.proposal_facts import provide as provide_proposal_facts
from portal.rounds.views import bp as rounds_bp
from portal.schedule.hooks import configure_schedule
from portal.schedule.intro import bookable_intro_sessions
from portal.schedule.queries import cohort_feed_sessions
from portal.schedule.views import bp as schedule_bp


def register_blueprints(app: Flask) -> None:
    for blueprint in (main_bp, auth_bp, admin_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(calls_bp)  # public call pages, no sign-in
    app.register_blueprint(mentoring_bp)
    app.register_blueprint(register_bp)
    app.register_blueprint(panel_bp)
    app.register_blueprint(schedule_bp)
    # The schedule sits below proposals and mentoring: it is handed who is in which round, and their feed events.
    configure_schedule(app, participation=participation,
                       feed_events=(meeting_events_for, submission_deadline_events_for))
    provide_proposal_facts(app, proposal_facts_for_rounds)  # rounds sits below proposals
    # Rounds sits below the schedule and the panel: its set-up checklist and its closing notice ask them.
    provide_round_hooks(app, RoundHooks(
        intro_sessions=bookable_intro_sessions, programme_sessions=cohort_feed_sessions, panel_members=panel_members,
        criteria=panel_criteria, on_closed=(tell_draft_owners,)))
    app.register_blueprint(rounds_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(privacy_bp)
    app.config.setdefault("RETENTION_MONTHS", 12)
