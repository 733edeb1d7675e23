"""The surveys service's change feed (`GET /v1/changes`): see README, "Change feeds"."""
