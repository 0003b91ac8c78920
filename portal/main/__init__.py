"""Home page and health check."""
