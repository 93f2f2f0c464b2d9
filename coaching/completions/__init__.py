"""Tracking completions, the core: mark, batch, reset, legacy import (services), progress, state and
activity (selectors), the change signal. Takes a user id and plain values; knows nothing of HTTP,
DRF, tokens, cookies or templates. The SQL it calls lives in the migrations."""
