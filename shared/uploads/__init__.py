"""Uploads opened within bounds, for every reader of an uploaded file.

An upload is bounded at each step of its reading, so that no file, however small, can make a
service spend more than the limits allow (README "Upload limits"; SOKO_UPLOAD_* settings):

1. the request body as it streams in (`BodyLimitMiddleware`, 413) and the file read from it
   (`read_upload`, 413);
2. a .docx or .xlsx before any library opens it (`open_docx`, `open_xlsx`: every part inflated
   and measured, every part a library may read as XML counted by a streaming parser without
   building a tree, in UTF-8 or UTF-16 and without a DTD; 422 naming the limit or the file);
3. rows, cells, paragraphs, tables and the length of each text as a reader takes them
   (`Budget`, `sheet_rows`, `csv_rows`, `text_lines`; 422 naming the limit);
4. the parsing itself in a worker thread, a few at a time (`parse_upload`), so the event loop
   keeps answering `/healthz` and other requests meanwhile.

Readers map `UnreadableUpload` (a damaged file, a wrong format) to their own 422;
`UploadLimitExceeded` and `UploadTooLarge` reach the client as they are.
"""

from shared.uploads.archive import open_docx, open_xlsx, scan_package
from shared.uploads.http import (
    BodyLimitMiddleware,
    UploadLimitsDep,
    parse_upload,
    read_upload,
    upload_limits,
)
from shared.uploads.limits import (
    FIELD,
    Budget,
    UnreadableUpload,
    Upload,
    UploadLimitExceeded,
    UploadLimits,
    UploadTooLarge,
)
from shared.uploads.tables import csv_rows, lines, sheet_rows, text_lines

__all__ = [
    "FIELD",
    "BodyLimitMiddleware",
    "Budget",
    "UnreadableUpload",
    "Upload",
    "UploadLimitExceeded",
    "UploadLimits",
    "UploadLimitsDep",
    "UploadTooLarge",
    "csv_rows",
    "lines",
    "open_docx",
    "open_xlsx",
    "parse_upload",
    "read_upload",
    "scan_package",
    "sheet_rows",
    "text_lines",
    "upload_limits",
]
