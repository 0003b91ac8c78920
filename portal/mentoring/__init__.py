"""Mentoring: the mentor pool, matching mentors to participants, progress to submission, the portfolio register."""
