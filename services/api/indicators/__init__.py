"""Indicators: what is measured, how, at which level, against which target."""
