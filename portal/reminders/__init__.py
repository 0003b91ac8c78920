"""Reminders sent by `flask --app wsgi reminders send`, each once, through the outbox."""
