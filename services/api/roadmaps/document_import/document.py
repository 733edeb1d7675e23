"""Roadmap import: the activity tables of Word, Excel, CSV and text documents as roadmaps.

The blocks a reader gives (`readers`) are parsed into roadmaps (`parser`) and frozen into the
import result (`results`)."""

from __future__ import annotations

from collections.abc import Sequence

from services.api.roadmaps.document_import.parser import Parser
from services.api.roadmaps.document_import.readers import (
    ACCEPTED_EXTENSIONS,
    Block,
    Paragraph,
    UnreadableDocument,
    UnsupportedFormat,
    read_blocks,
)
from services.api.roadmaps.document_import.results import (
    ImportedActivity,
    ImportedRoadmap,
    ImportedSection,
    ImportReport,
    ImportResult,
    SkippedRow,
)
from shared.uploads import UploadLimits

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ImportReport",
    "ImportResult",
    "ImportedActivity",
    "ImportedRoadmap",
    "ImportedSection",
    "SkippedRow",
    "UnreadableDocument",
    "UnsupportedFormat",
    "import_document",
    "parse_blocks",
]


def import_document(
    filename: str, content: bytes, limits: UploadLimits | None = None
) -> ImportResult:
    """Import the roadmaps of a .docx, .xlsx, .csv or .txt document read within `limits`
    (see `read_blocks`). Blocking: call it through `shared.uploads.parse_upload`."""
    return parse_blocks(read_blocks(filename, content, limits))


def parse_blocks(blocks: Sequence[Block]) -> ImportResult:
    """Parse the neutral block list of any format into roadmaps and a report."""
    parser = Parser()
    for index, block in enumerate(blocks, start=1):
        if isinstance(block, Paragraph):
            parser.paragraph(block.text)
        else:  # a row is named by its line in the file, or by its place in a .docx
            parser.row(block.line or index, block)
            parser.notes += (f"строка {block.line or index}: {note}" for note in block.notes)
    result = parser.result()
    result.report.warnings.extend(parser.notes)  # cells read otherwise than the file has them
    return result
