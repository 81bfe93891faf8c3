"""Web plumbing around the Dash app: sign-in, security headers, view cache, health check."""
