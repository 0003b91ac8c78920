"""A benchmark at a large institution's scale: build synthetic data, time the key pages."""
