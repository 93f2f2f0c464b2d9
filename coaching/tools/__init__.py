"""Offline, deterministic logic behind the coach actions.

Every function here is pure: no database, no network, no clock and no global
random state. Where a tool offers variety, the choice is derived from its
inputs, so the same input always gives the same answer.
"""
