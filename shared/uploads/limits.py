"""Upload limits, the errors that name them, and the counters that enforce them while reading."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from anyio import CapacityLimiter

from shared.errors import Invalid, SokoError, field_error
from shared.numbers import file_size
from shared.settings import Settings

FIELD = "file"
"""The multipart field every upload endpoint takes (`loc` of the errors below)."""

# What each limit bounds, in the Russian of the error messages ({value} is the limit).
_WORDING: dict[str, str] = {
    "bytes": "файл больше {value}",
    "unpacked_bytes": "содержимое файла в распакованном виде больше {value}",
    "parts": "в архиве файла больше {value} частей",
    "xml_elements": "в разметке файла больше {value} элементов",
    "xml_depth": "разметка файла вложена глубже {value} уровней",
    "rows": "в файле больше {value} строк",
    "data_rows": "в файле больше {value} строк с данными",
    "cells": "в таблицах файла больше {value} ячеек",
    "text_chars": "ячейка, абзац или строка текста длиннее {value} символов",
    "paragraphs": "в документе больше {value} абзацев",
    "tables": "в документе больше {value} таблиц",
    "xlsform_rows": "на листе XLSForm больше {value} строк",
}


def _amount(name: str, value: int) -> str:
    if name.endswith("bytes"):
        return file_size(value, space=" ")
    return f"{value:,}".replace(",", "\u00a0")


def sentence(text: str) -> str:
    """`text` as a sentence of its own: a capital first letter, a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


class UploadLimitExceeded(Invalid):
    """A file bigger than a limit in what it holds (422): names the limit and the field."""

    def __init__(self, name: str, value: int, setting: str | None) -> None:
        message = _WORDING[name].format(value=_amount(name, value))
        where = f" (ограничение {setting})" if setting else ""
        super().__init__(
            f"Файл не принят: {message}{where}",
            errors=[field_error(FIELD, message, kind=f"upload_limit.{name}")],
            limit={"name": name, "value": value, "setting": setting},
        )
        # What a page says (its heading already says the file was not taken): once, in
        # plain Russian, without the setting's name — «В файле больше 10 000 строк с данными.»
        self.plain = sentence(message)


class UploadTooLarge(SokoError):
    """A file (or a whole request body) bigger than SOKO_UPLOAD_MAX_BYTES allows (413)."""

    status, slug, detail = 413, "content-too-large", "Файл или запрос слишком большой"
    documented = "The file or the request body is larger than SOKO_UPLOAD_MAX_BYTES allows"

    def __init__(
        self,
        limit: int,
        *,
        body: int | None = None,
        form: bool = True,
        setting: str | None = "SOKO_UPLOAD_MAX_BYTES",
    ) -> None:
        """`body`: the whole request body's limit, when that was passed (`form`: a multipart
        form, whose big part is the file; else a JSON or other body, which holds no file and
        is said as «запрос»); `setting`: the setting that sets it (SOKO_JSON_MAX_BYTES for a
        JSON body of a route that takes no bulk rows; None for a route's own fixed limit)."""
        message = f"файл больше {_amount('bytes', limit)}"
        refused = "Файл не принят"
        if body is not None:
            message = f"запрос больше {_amount('bytes', body)}: {message} не принимается"
            if not form:
                refused, message = (
                    "Запрос не принят",
                    f"тело запроса больше {_amount('bytes', body)}",
                )
        loc = [FIELD] if form else []
        super().__init__(
            f"{refused}: {message}" + (f" (ограничение {setting})" if setting else ""),
            errors=[field_error(loc, message, kind="upload_limit.bytes")],
            limit={"name": "bytes", "value": limit, "setting": setting},
        )
        # What a page says: the file's limit only (not the whole body's, a few bytes of a
        # form more), in plain Russian, without the setting's name.
        self.plain = f"Файл больше {_amount('bytes', limit)}." if form else sentence(message)


class UnreadableUpload(Invalid, ValueError):
    """The file is not what its extension says, or is damaged: readers word it their way, and
    where none does it is a 422 naming `file` with `message` as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message, errors=[field_error(FIELD, message)])


@dataclass(frozen=True)
class UploadLimits:
    """The bounds of one upload, from the SOKO_UPLOAD_* settings (README "Upload limits")."""

    max_bytes: int
    max_unpacked_bytes: int
    max_parts: int
    max_xml_elements: int
    max_rows: int
    max_cells: int
    max_text_chars: int
    max_paragraphs: int
    max_tables: int
    max_xlsform_rows: int
    parsers: int
    # The app's worker threads for parsing (`app.state.upload_parsing`, `parsers` of them), set
    # by the `upload_limits` dependency; none outside a request (`parse_upload` then makes one).
    parsing: CapacityLimiter | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(**{name: getattr(settings, f"upload_{name}") for name in _SETTINGS})

    @classmethod
    def defaults(cls) -> UploadLimits:
        """The limits with every setting at its default (readers called outside a request)."""
        return cls(**{name: Settings.model_fields[f"upload_{name}"].default for name in _SETTINGS})

    def exceeded(self, name: str) -> UploadLimitExceeded:
        """The error for the limit `max_<name>`, naming its setting."""
        return UploadLimitExceeded(
            name, getattr(self, f"max_{name}"), f"SOKO_UPLOAD_MAX_{name.upper()}"
        )


@dataclass(frozen=True)
class Upload:
    """An uploaded file, read within its size, and the limits to parse it within."""

    filename: str
    content: bytes
    limits: UploadLimits


class Budget:
    """Counts what a reader has taken from one file and refuses past a limit.

    `data_rows` is a caller's own bound on non-empty rows (a bulk endpoint's batch size)."""

    def __init__(self, limits: UploadLimits, *, data_rows: int | None = None) -> None:
        self.limits = limits
        self.data_rows_limit = data_rows
        self.rows = self.cells = self.data_rows = self.paragraphs = self.tables = 0

    def row(self, width: int) -> None:
        """One more table row (or line of text) of `width` cells."""
        self.rows += 1
        self.cells += width
        if self.rows > self.limits.max_rows:
            raise self.limits.exceeded("rows")
        if self.cells > self.limits.max_cells:
            raise self.limits.exceeded("cells")

    def data_row(self) -> None:
        """One more row that holds data, against the caller's bound."""
        self.data_rows += 1
        if self.data_rows_limit is not None and self.data_rows > self.data_rows_limit:
            raise UploadLimitExceeded("data_rows", self.data_rows_limit, None)

    def cell(self) -> None:
        """One more cell, counted on its own (an archive's scan)."""
        self.cells_ahead(1)
        self.cells += 1

    def cells_ahead(self, count: int) -> None:
        """Refuse a row before it is split when its `count` cells would pass the limit."""
        if self.cells + count > self.limits.max_cells:
            raise self.limits.exceeded("cells")

    def paragraph(self) -> None:
        self.paragraphs += 1
        if self.paragraphs > self.limits.max_paragraphs:
            raise self.limits.exceeded("paragraphs")

    def table(self) -> None:
        self.tables += 1
        if self.tables > self.limits.max_tables:
            raise self.limits.exceeded("tables")

    def text(self, value: str) -> str:
        """The text of one cell, paragraph or line, if it is not too long."""
        if len(value) > self.limits.max_text_chars:
            raise self.limits.exceeded("text_chars")
        return value


# The fields of UploadLimits that are settings (SOKO_UPLOAD_<NAME>).
_SETTINGS = tuple(f.name for f in fields(UploadLimits) if f.name != "parsing")
