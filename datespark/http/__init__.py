"""HTTP plumbing at the edge: middleware, the contract's error shape, error views, parsers,
content negotiation, request ids in the logs, health probes. Knows nothing of coaching."""
