"""End-to-end tests: the app served as `make run` serves it, driven in headless Chromium."""
