"""Navigation entries, each shown only to people whose roles allow the page."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import request, url_for


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    allowed: Callable[[object], bool]

    def url(self) -> str:
        return url_for(self.endpoint)

    def current(self) -> bool:
        return request.endpoint == self.endpoint


def _everyone(_user) -> bool:
    return True


def _lead(user) -> bool:
    return user.is_lead


# Order is the order in the menu. Features append their own entries here.
NAV: list[NavItem] = [
    NavItem("Home", "main.home", _everyone),
    NavItem("People and roles", "admin.people", _lead),
    NavItem("Invitations", "admin.invitations", _lead),
    NavItem("Outbox", "admin.outbox", _lead),
    NavItem("Audit log", "admin.audit", _lead),
    NavItem("Mentoring", "mentoring.index", _everyone),
    NavItem("Matching", "mentoring.matching", _lead),
    NavItem("Panel", "panel.index", lambda user: user.is_panel or user.is_lead),
    NavItem("Schedule", "schedule.index", _everyone),
    NavItem("Manage sessions", "schedule.manage", _lead),
    NavItem("Proposals", "proposals.index", _everyone),
    NavItem("Rounds", "rounds.index", _lead),
    NavItem("Dashboard", "dashboard.index", _lead),
    NavItem("My data", "privacy.index", _everyone),
]


def items_for(user) -> list[NavItem]:
    return [item for item in NAV if item.allowed(user)]
