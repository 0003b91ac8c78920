"""Audit log of state changes."""
