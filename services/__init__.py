"""The Soko services (api, surveys, reports) and the `soko` command that runs them."""
