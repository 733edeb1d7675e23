"""The name an uploaded file is kept and shown under.

A browser or a client sends the file name it likes: a path («C:\\fakepath\\отчёт.pdf»,
«../../отчёт.pdf»), control characters, or direction overrides that show «отчёт‮fdp.exe» as
«отчётexe.pdf» on every page listing it. The name is metadata, not the file: it is cleaned
rather than refused, so that no user is told off for what their system named a file.
"""

import re
from pathlib import PurePath

from shared.texts import without_invisible

MAX_NAME = 300
_SPACES = re.compile(r"\s+")


def stored_file_name(sent: str | None, default: str = "file") -> str:
    """`sent` as a file's name to keep: its last path part (after / or \\), without control
    and format characters (Unicode Cc/Cf: direction overrides, zero-width spaces), runs of
    white space one space, stripped (and of leading dots: «..» is no name); at most MAX_NAME
    characters, the extension kept when cut; `default` when nothing is left."""
    name = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = without_invisible(_SPACES.sub(" ", name)).strip().lstrip(".").strip()
    if not name:
        return default
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix
        suffix = suffix if len(suffix) <= 20 else ""
        name = name[: MAX_NAME - len(suffix)].rstrip() + suffix
    return name
