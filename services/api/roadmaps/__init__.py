"""Roadmaps ("дорожные карты"): activities, deadlines and their import."""
