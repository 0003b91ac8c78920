"""Data protection: a person's own data export, reminder preferences, and retention (anonymisation)."""
