"""Running the demo's many requests a few at a time: the in-process apps wait on the
database most of each request, so a handful in flight loads the demo in a fraction of the
time one after another takes (`soko up --demo` is ready within a minute on a busy machine)."""

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
AT_ONCE = 4  # requests in flight per loop: with three strands and the enrolment, about 16


async def bounded(
    items: Iterable[T], one: Callable[[T], Awaitable[R]], limit: int = AT_ONCE
) -> list[R]:
    """`one(item)` for every item, at most `limit` at a time; the results in the items' order.
    A failure cancels the rest and is raised (in an ExceptionGroup)."""
    gate = asyncio.Semaphore(limit)

    async def gated(item: T) -> R:
        async with gate:
            return await one(item)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(gated(item)) for item in items]
    return [task.result() for task in tasks]
