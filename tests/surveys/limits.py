"""Helpers for tests of the anonymous limit, which counts per address in fixed windows."""

import asyncio
import time

from shared.ratelimit import SharedRateLimit


async def fresh_window(limit: SharedRateLimit, room: float = 10.0) -> None:
    """Wait for the next window when fewer than `room` seconds are left in this one, so that a
    test's hits all fall in one window."""
    left = limit.window - time.time() % limit.window
    if left < room:
        await asyncio.sleep(left + 0.1)


async def use_up(limit: SharedRateLimit, address: str) -> None:
    """Count as many hits of the address as the limit allows (in a window with room left)."""
    await fresh_window(limit)
    for _ in range(limit.limit):
        assert await limit.retry_after(address) is None
