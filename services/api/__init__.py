"""The api service (:8000): territories, organizations, users, roadmaps, indicators, data."""
