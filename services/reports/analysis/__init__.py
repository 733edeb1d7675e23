"""Complex analysis of assessment results over the reports service's facts: objectivity signs,
low-results schools (ШНОР), the social context index (ИСБШ, ШНСУ) and resilient schools.

Every threshold is a setting (`thresholds.Thresholds`, `SOKO_ANALYSIS_…`) with a documented
default: the federal thresholds are not public, these are ours (README "Complex analysis").
"""
