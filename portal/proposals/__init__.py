"""Proposals of interest: drafts, submission, withdrawal."""
