"""Staff: analytics over all users and its chart, the audit trail, the init endpoint's repair, CSV export."""
