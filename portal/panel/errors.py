"""The panel's refusals: a rule said no (PanelError), or selecting goes over the funding (FundingExceeded)."""
from __future__ import annotations

from portal.errors import ServiceError


class PanelError(ServiceError):
    """A change refused by a panel rule; field names the form field it concerns."""


class FundingExceeded(PanelError):
    """Selecting this proposal would go over the places or the budget; needs the lead's confirmation."""
