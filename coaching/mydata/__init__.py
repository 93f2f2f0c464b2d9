"""Mijn gegevens: the user's own data. Export, account deletion and settings (timezone), and their page."""
