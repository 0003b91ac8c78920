"""Registers one blueprint per feature folder."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.dashboard.views import bp as dashboard_bp
    from portal.privacy.views import bp as privacy_bp
    from portal.main.views import bp as main_bp
    from portal.mentoring.views import bp as mentoring_bp
    from portal.panel.views import bp as panel_bp
    from portal.proposals.views import bp as proposals_bp
    from portal.rounds.views import bp as rounds_bp
    from portal.schedule.views import bp as schedule_bp

    for blueprint in (main_bp, auth_bp, admin_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(mentoring_bp)
    app.register_blueprint(panel_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(proposals_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(privacy_bp)
    app.config.setdefault("RETENTION_MONTHS", 12)
