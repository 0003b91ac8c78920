"""Navigation: the sections of the bar, grouped by what people do, and the pages one level down in each.

The bar holds at most seven sections at any role (Home plus six for a lead). A section links to its
first page a person may open; its other pages are its sub-navigation, shown on every page of the section.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import request, url_for

# The most entries the bar may hold for anyone: more no longer reads at a glance or fits a phone.
MOST_BAR_ENTRIES = 7


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    allowed: Callable[[object], bool]
    # Other endpoints (or "blueprint." prefixes) that are this page's own, e.g. a session under Manage sessions.
    covers: tuple[str, ...] = ()

    def url(self) -> str:
        return url_for(self.endpoint)

    def current(self) -> bool:
        return request.endpoint == self.endpoint

    def holds(self, endpoint: str | None) -> bool:
        """The page at `endpoint` belongs to this entry: it is the entry's page or one it covers."""
        return endpoint is not None and (endpoint == self.endpoint or _matches(endpoint, self.covers))


@dataclass(frozen=True)
class NavSection:
    label: str
    items: tuple[NavItem, ...]
    # Blueprints (or endpoints) whose pages are in this section, so a page deep inside still marks it.
    covers: tuple[str, ...] = ()

    def holds(self, endpoint: str | None) -> bool:
        return endpoint is not None and (_matches(endpoint, self.covers) or any(i.holds(endpoint) for i in self.items))


@dataclass(frozen=True)
class ShownSection:
    """A section as one person sees it: only the pages their roles allow, and whether they are in it now."""

    label: str
    items: tuple[NavItem, ...]
    current: bool
    current_item: NavItem | None

    @property
    def first(self) -> NavItem:
        return self.items[0]

    def url(self) -> str:
        return self.first.url()

    @property
    def is_page(self) -> bool:
        """The person is on the section's own first page (aria-current="page"), not somewhere inside it."""
        return self.first.current()


def _matches(endpoint: str, patterns: tuple[str, ...]) -> bool:
    return any(endpoint == p or (p.endswith(".") and endpoint.startswith(p)) for p in patterns)


def _everyone(_user) -> bool:
    return True


def _lead(user) -> bool:
    return user.is_lead


def _panel(user) -> bool:
    return user.is_panel or user.is_lead


def _mentor(user) -> bool:
    return user.is_mentor or user.is_lead


SECTIONS: tuple[NavSection, ...] = (
    NavSection("Home", (NavItem("Home", "main.home", _everyone),), covers=("main.",)),
    NavSection("Rounds & proposals", (
        NavItem("Rounds", "rounds.index", _lead, covers=("rounds.new", "rounds.edit")),
        NavItem("Proposals", "proposals.index", _everyone, covers=("proposals.",)),
        NavItem("Schemes and pathways", "rounds.schemes", _lead,
                covers=("rounds.new_scheme", "rounds.edit_scheme", "rounds.new_pathway", "rounds.edit_pathway")),
    ), covers=("rounds.", "proposals.", "calls.")),
    NavSection("Panel", (NavItem("Panel", "panel.index", _panel),), covers=("panel.",)),
    NavSection("Schedule", (
        NavItem("Schedule", "schedule.index", _everyone),
        NavItem("Calendar feeds", "schedule.feeds", _everyone),
        NavItem("Manage sessions", "schedule.manage", _lead,
                covers=("schedule.new_session", "schedule.new_block", "schedule.settings", "schedule.edit_session",
                        "schedule.cancel_session", "schedule.add_term", "schedule.delete_term", "schedule.set_notice")),
    ), covers=("schedule.",)),
    NavSection("Mentoring", (
        NavItem("Mentoring", "mentoring.index", _everyone),
        NavItem("Mentor dashboard", "mentoring.dashboard", _mentor),
        NavItem("Portfolio register", "register.index", _everyone, covers=("register.",)),
        NavItem("Matching", "mentoring.matching", _lead),
        NavItem("Mentor pool", "mentoring.mentors", _lead),
    ), covers=("mentoring.", "register.")),
    NavSection("Reports", (
        NavItem("Dashboard", "dashboard.index", _lead),
        NavItem("Year on year", "dashboard.years", _lead),
    ), covers=("dashboard.",)),
    NavSection("Admin", (
        NavItem("People and roles", "admin.people", _lead),
        NavItem("Invitations", "admin.invitations", _lead),
        NavItem("Outbox", "admin.outbox", _lead),
        NavItem("Audit log", "admin.audit", _lead),
    ), covers=("admin.",)),
)

# One level down from the person's name in the header rather than in the bar: their own account.
ACCOUNT: tuple[NavItem, ...] = (
    NavItem("My data", "privacy.index", _everyone, covers=("privacy.",)),
)


def sections_for(user, endpoint: str | None = None) -> list[ShownSection]:
    """The bar's sections this person may open, each with its allowed pages, the current one marked."""
    endpoint = request.endpoint if endpoint is None else endpoint
    shown = []
    for section in SECTIONS:
        items = tuple(item for item in section.items if item.allowed(user))
        if not items:
            continue
        current_item = next((item for item in items if item.holds(endpoint)), None)
        shown.append(ShownSection(section.label, items, section.holds(endpoint), current_item))
    return shown


def account_items_for(user) -> list[NavItem]:
    return [item for item in ACCOUNT if item.allowed(user)]
