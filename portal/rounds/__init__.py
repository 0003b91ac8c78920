"""Schemes, pathways and rounds."""
