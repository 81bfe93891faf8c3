"""OGP domain: scales, policy areas, rules, statuses, filters and roles as pure code (no I/O, no framework)."""
