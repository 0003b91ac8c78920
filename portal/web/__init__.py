"""Cross-cutting web helpers: fragment-or-page rendering, authorization, pagination."""
