"""Survey campaigns: an instrument version sent to organizations in a time window."""
