"""Responses: validated answers, scoring, aggregates."""
