"""The reports service's own copy of what the peers' change feeds carry (see tables.py)."""
