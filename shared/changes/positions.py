"""Where a change sits in a feed, and the opaque cursor a reader passes back as `after`.

A position is (the id of the transaction that wrote the row, a number from the service's
`change_seq` sequence taken by the same write). Feeds are ordered by it. Transaction ids are
the 64-bit ones of `pg_current_xact_id()` (they never wrap around); rows that existed before
the feeds were added have transaction id 0.

A cursor is the position of the last change a reader received and the position up to which
the reader is known to have missed no deletion (see `Cursor`), with the service's name,
base64url-encoded: readers must treat it as opaque (its form may change), and a cursor of one
service's feed is refused by the other's.
"""

import base64
import binascii
from dataclasses import dataclass

from shared.errors import Invalid

BIGINT_MAX = 2**63 - 1
MAX_CURSOR_CHARS = 200


@dataclass(frozen=True, order=True)
class Position:
    """(xid, seq): ordered as a tuple, as the feed is."""

    xid: int
    seq: int


# Before every change (rows that predate the feeds have transaction 0 and numbers from 1).
START = Position(0, 0)


@dataclass(frozen=True)
class Cursor:
    """Where a reader is: `position`, the last change it received; `safe`, a position up to
    which it missed no deletion although it has not read that far. A reader that started from
    the beginning needs no deletion compaction had removed before it started (it never had
    those rows): its `safe` is the horizon it started under. A cursor is expired when the
    horizon passes both."""

    position: Position = START
    safe: Position = START

    @property
    def fresh(self) -> bool:
        """Nothing read yet: reading from here is the resync."""
        return self == Cursor()

    def checked_to(self) -> Position:
        return max(self.position, self.safe)


def encode_cursor(service: str, position: Position, safe: Position = START) -> str:
    """The cursor of `position` (and `safe`) in `service`'s feed ("" for the beginning)."""
    if position == START and safe == START:
        return ""
    numbers = [position.xid, position.seq]
    if safe > position:
        numbers += [safe.xid, safe.seq]
    raw = ":".join([service, *map(str, numbers)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NOT_OURS = "это не курсор этой ленты"


def _of_another_feed(owner: str, service: str) -> str:
    """A cursor of another service's feed (a name that is no service's is not repeated)."""
    if owner.isascii() and owner.isalnum() and len(owner) <= 20:
        return f"это курсор ленты сервиса {owner}, а не {service}"
    return f"это курсор ленты другого сервиса, а не {service}"


def _refuse(message: str) -> Invalid:
    return Invalid.at(
        "after",
        message,
        where="query",
        detail=f"Курсор ленты изменений не распознан: {message}",
        kind="cursor",
    )


def decode_cursor(service: str, cursor: str | None) -> Cursor:
    """The reader's place a cursor names; the beginning for none or "". Invalid (422 naming
    `after`) for a cursor this service did not give (malformed, or another service's)."""
    if not cursor:
        return Cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (UnicodeError, ValueError, binascii.Error):
        raise _refuse(NOT_OURS) from None
    owner, *numbers = text.split(":")
    if owner != service:
        raise _refuse(_of_another_feed(owner, service))
    if len(numbers) not in (2, 4) or not all(n.isascii() and n.isdigit() for n in numbers):
        raise _refuse(NOT_OURS)
    values = [int(n) for n in numbers]
    if max(values) > BIGINT_MAX:
        raise _refuse(NOT_OURS)
    position = Position(values[0], values[1])
    safe = Position(values[2], values[3]) if len(values) == 4 else START
    return Cursor(position, safe)
