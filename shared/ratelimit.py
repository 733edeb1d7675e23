"""A sliding-window limit per key (e.g. per address), kept in the process.

For abuse limits on public endpoints; login throttling, which must hold across processes and
restarts, is kept in PostgreSQL instead.
"""

import time
from collections import defaultdict, deque


class RateLimit:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit, self.window = limit, window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, key: str) -> int | None:
        """Count a hit; None if allowed, else seconds until the next one would be."""
        now = time.monotonic()
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return int(hits[0] + self.window - now) + 1
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
            for stale in [k for k, v in self._hits.items() if not v]:
                del self._hits[stale]
        return None
