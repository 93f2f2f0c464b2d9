"""The Dutch pages: the dashboard with one HTMX tab per tool, the fifteen actions' forms, the activity strip."""
