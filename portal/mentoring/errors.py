"""Mentoring's refusal: the one error its services raise when a rule says no."""
from __future__ import annotations

from portal.errors import ServiceError


class MentoringError(ServiceError):
    """A mentoring rule refused the change; `field` names the form field the message belongs to."""
