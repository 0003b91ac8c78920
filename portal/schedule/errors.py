"""The schedule's refusal: a ServiceError raised by its services when a rule says no."""
from __future__ import annotations

from portal.errors import ServiceError


class ScheduleError(ServiceError):
    """A schedule rule refused the change; the message is for the person, the field (if any) for the form."""
