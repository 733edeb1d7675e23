"""Pages for people in a browser: sign-in, sign-out and each role's home (HTML, not /v1)."""
