"""Email outbox: mail is queued in the database and sent by a command."""
