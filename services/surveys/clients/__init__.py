"""Typed clients of the other Soko services."""
