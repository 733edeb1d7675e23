"""Roadmap document import: Word, Excel, CSV and text tables of activities as roadmaps.

`readers` turns a file into neutral blocks, `columns` recognises the activity table's headers,
`parser` reads blocks into roadmaps frozen as `results`, `document` is the entry
(`import_document`, `parse_blocks`), and `service` stores them for a territory.
"""
