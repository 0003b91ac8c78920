"""The selection panel: conflicts, blind scoring against a rubric, moderation and decisions."""
