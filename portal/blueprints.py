"""Registers one blueprint per feature folder."""
from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.admin.views import bp as admin_bp
    from portal.auth.views import bp as auth_bp
    from portal.main.views import bp as main_bp

    for blueprint in (main_bp, auth_bp, admin_bp):
        app.register_blueprint(blueprint)
