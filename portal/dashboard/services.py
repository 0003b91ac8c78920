"""State changes made from the dashboard: only the audit trail of exports."""
from __future__ import annotations

from portal.audit.services import record


def record_export(actor, round_, kind: str) -> None:
    """Audit a CSV export (personal data leaving the portal). Side effect: one audit event."""
    record(actor, "export.csv", round_, summary=f"Exported {kind} of {round_.name} as CSV", kind=kind)
