"""The five coach tools: offline, deterministic logic behind the fifteen actions (one module per
tool; no database, no network, no clock, no global random state), and Foto Advies' photos."""
