"""Accounts: register, log in, password change, logout; tokens, the one authenticator (API and
pages), rate limits, and the account pages."""
