"""The one error a service raises when a rule refuses a change."""
from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the change. `message` is written for the person; `field`, when set, names the
    form field it belongs to. Nothing the service did should be kept: the caller rolls back
    (portal.web.actions.attempt does)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
