"""The schedule blueprint with all its pages registered (portal/blueprints.py registers it).

Its routes live by who uses them: schedule_views (everyone's month, session pages and bookings),
office_hours_views, register_views (lead or host), manage_views (the lead), feed_views (feed links and .ics).
"""
from __future__ import annotations

from portal.schedule import (  # noqa: F401  (importing them registers their routes on bp)
    feed_views, manage_views, office_hours_views, register_views, schedule_views,
)
from portal.schedule.blueprint import bp

__all__ = ["bp"]
