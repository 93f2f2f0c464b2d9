"""End-to-end tests: the app served by gunicorn, driven in headless Chromium."""
