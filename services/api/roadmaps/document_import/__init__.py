"""Roadmap document import: Word, Excel, CSV and text tables of activities as roadmaps.

`readers` turns a file into neutral blocks, `columns` recognises the activity table's headers,
`document` turns blocks into imported roadmaps, and `service` stores them for a territory.
"""
