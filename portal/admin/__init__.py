"""Programme lead's administration: roles, outbox and audit log."""
