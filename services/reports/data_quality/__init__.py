"""Data quality as the reports service sees it, from its facts: the collections' completeness,
timeliness and approval per organization (status.py)."""
