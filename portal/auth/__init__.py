"""Accounts: sign-up, sign-in, password reset and roles."""
