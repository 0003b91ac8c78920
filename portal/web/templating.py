"""Jinja filters and globals: local times, money, roles in navigation."""
from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user

from portal.timeutil import format_date, format_local
from portal.web.nav import account_items_for, sections_for


def money(pence: int | None) -> str:
    """Pence as pounds for display: 16500 -> £165, 12345 -> £123.45."""
    if pence is None:
        return "—"
    sign = "-" if pence < 0 else ""
    pounds = abs(int(pence)) // 100
    rest = abs(int(pence)) % 100
    return f"{sign}£{pounds:,}" if rest == 0 else f"{sign}£{pounds:,}.{rest:02d}"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["localdate"] = format_date
    app.jinja_env.filters["money"] = money

    @app.context_processor
    def portal_globals():
        return {
            "institution_name": current_app.config["INSTITUTION_NAME"],
            "scheme_name": current_app.config["SCHEME_NAME"],
            # Navigation: the bar's sections and the account links a person's roles allow (portal/web/nav.py).
            "nav_sections": sections_for(current_user) if current_user.is_authenticated else [],
            "account_items": account_items_for(current_user) if current_user.is_authenticated else [],
        }
