"""Where one 10,000-row data-values post spends its time: `import_bench --profile`.

The api app runs in this process (httpx over ASGI, no socket) against the bench's scratch
database; the import's steps are wrapped with timers (bench only: nothing in the services
knows), every SQL statement is timed from the client's side (encoding, round trip, decoding),
and one batch of new rows and one of unchanged rows are measured after a warm-up batch:

    step                              new rows   unchanged
    request (client, end to end)         0.703       0.306
    validate (all checks)                0.121       0.125
    …
    sql: upsert + audit                  0.252       0.047

(a step a version of the code lacks is left out, so the same harness times an older tree).

With `--explain`, a third batch of new rows is posted (not timed) with each of its statements
run first as EXPLAIN (ANALYZE, BUFFERS) in a savepoint rolled back (the plans printed); with
`--cprofile`, the new-rows batch runs under cProfile and the top functions are printed.
"""

import contextlib
import cProfile
import functools
import inspect
import io
import os
import pstats
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import TextClause

from bench.common import ADMIN

# The import's steps, as (module path, attribute, label); an attribute of a class is "Class.f".
STEPS = (
    ("services.api.data_values.service", "DataValueImporter.validate", "validate (all checks)"),
    ("services.api.data_values.service", "parse_rows", "  parse rows (Python)"),
    ("services.api.data_values.service", "_lookups", "  indicators, organizations"),
    ("services.api.validation.service", "screen_import", "  reject rules (screen)"),
    ("services.api.data_values.service", "DataValueImporter.store", "store (all)"),
    ("services.api.collections.locks", "refuse_locked_changes", "  approval locks"),
    ("services.api.data_values.service", "_stage", "  stage (COPY to temp)"),
    ("services.api.outliers.service", "flag_imported", "  outliers"),
    ("services.api.validation.service", "refresh_import", "  current violations"),
    ("shared.bulk_http", "run_import", "import (validate + store)"),
    ("sqlalchemy.ext.asyncio.AsyncSession", "commit", "commit"),
)


class Clock:
    """Seconds per label, summed over what ran since `reset`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] += seconds
        self.calls[label] += 1


def _resolve(module: str, attribute: str) -> tuple[Any, str]:
    import importlib

    if module.endswith("AsyncSession"):
        return AsyncSession, attribute
    owner: Any = importlib.import_module(module)
    *classes, name = attribute.split(".")
    for cls in classes:
        owner = getattr(owner, cls)
    return owner, name


def _timed(clock: Clock, label: str, function: Callable) -> Callable:
    if not inspect.iscoroutinefunction(function):
        return _sync_timed(clock, label, function)

    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            clock.add(label, time.perf_counter() - started)

    return wrapper


@contextlib.contextmanager
def timed_steps(clock: Clock) -> Iterator[None]:
    """Wrap each of `STEPS` that exists (a step a version of the code lacks is left out)."""
    patched = []
    for module, attribute, label in STEPS:
        owner, name = _resolve(module, attribute)
        original = (
            owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        )
        if original is None:
            continue
        setattr(owner, name, _timed(clock, label, original))
        patched.append((owner, name, original))
    try:
        yield
    finally:
        for owner, name, original in reversed(patched):
            setattr(owner, name, original)


def _sync_timed(clock: Clock, label: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            clock.add(label, time.perf_counter() - started)

    return wrapper


def _statement_label(statement: str) -> str:
    words = " ".join(statement.split())
    for marker, label in (
        ("INSERT INTO api.data_value", "sql: upsert + audit"),
        ("FROM api.collection_approval a", "sql: approval locks"),
        ("outliers:", "sql: outlier group locks"),
        ("'territory_z'", "sql: outliers recompute"),
        ("pg_advisory_xact_lock(1717", "sql: violation pair locks"),
        ("INSERT INTO api.validation_violation", "sql: violations refresh"),
        ("AS s(n, l, r)", "sql: reject rules screen"),
        ("JOIN api.outlier_flag f USING", "sql: stored flags"),
        ("JOIN api.validation_violation v USING", "sql: stored violations"),
        ("idempotency", "sql: idempotency keys"),
        ("CREATE TEMPORARY TABLE", "sql: temp table"),
        ("TRUNCATE pg_temp", "sql: temp table"),
        ("ANALYZE pg_temp", "sql: temp table"),
    ):
        if marker in words:
            return label
    return "sql: other (" + words[:40] + ")"


@contextlib.contextmanager
def timed_statements(engine: Any, clock: Clock) -> Iterator[None]:
    """Each statement's time from cursor execute to its result, by `_statement_label`."""
    sync = engine.sync_engine

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any):
        context._bench_started = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any):
        clock.add(_statement_label(statement), time.perf_counter() - context._bench_started)

    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(sync, "before_cursor_execute", before)
        event.remove(sync, "after_cursor_execute", after)


@contextlib.contextmanager
def explained(plans: list[str]) -> Iterator[None]:
    """Each data-modifying or checking statement of the import also run first as EXPLAIN
    (ANALYZE, BUFFERS) in a savepoint that is rolled back; the plans appended to `plans`."""
    original = AsyncSession.execute

    async def execute(self: AsyncSession, statement: Any, params: Any = None, **kw: Any) -> Any:
        if isinstance(statement, TextClause) and not statement.text.lstrip().upper().startswith(
            ("CREATE", "TRUNCATE", "ANALYZE")
        ):
            probe = text("EXPLAIN (ANALYZE, BUFFERS) " + statement.text).bindparams(
                *statement._bindparams.values()
            )
            savepoint = await self.begin_nested()
            try:
                rows = await original(self, probe, params, **kw)
                plan = "\n".join(r[0] for r in rows)
                plans.append(f"--- {_statement_label(statement.text)}\n{plan}")
            finally:
                await savepoint.rollback()
        return await original(self, statement, params, **kw)

    AsyncSession.execute = execute  # type: ignore[method-assign]
    try:
        yield
    finally:
        AsyncSession.execute = original  # type: ignore[method-assign]


async def profile(
    url: str,
    rules: list[dict],
    rows: list[dict],
    batch: int,
    *,
    explain: bool,
    cprofile: bool,
) -> None:
    """Post a warm-up batch, then measure one batch of new rows and the same batch again."""
    os.environ.update(
        SOKO_DATABASE_URL=url,
        SOKO_BOOTSTRAP_ADMIN_EMAIL=ADMIN[0],
        SOKO_BOOTSTRAP_ADMIN_PASSWORD=ADMIN[1],
        SOKO_LOG_LEVEL="WARNING",
    )
    from services.api.app import create_app
    from shared.settings import Settings

    app = create_app(Settings())
    clock = Clock()
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api", timeout=600) as client,
    ):
        token = await client.post(
            "/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]}
        )
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        for body in rules:
            answer = await client.post("/v1/validation-rules", json=body)
            assert answer.status_code == 201, answer.text

        async def post(part: list[dict]) -> dict:
            answer = await client.post("/v1/data-values", json={"values": part})
            assert answer.status_code == 200, answer.text[:500]
            return answer.json()

        warm, measured = rows[:batch], rows[batch : 2 * batch]
        await post(warm)
        columns: dict[str, dict[str, float]] = {}
        plans: list[str] = []
        engine = app.state.db.engine
        for name, part in (("new rows", measured), ("unchanged", measured)):
            clock.reset()
            profiler = cProfile.Profile() if cprofile and name == "new rows" else None
            with timed_steps(clock), timed_statements(engine, clock):
                started = time.perf_counter()
                if profiler is not None:
                    profiler.enable()
                summary = await post(part)
                if profiler is not None:
                    profiler.disable()
                clock.add("request (client, end to end)", time.perf_counter() - started)
            columns[name] = dict(clock.seconds)
            print(
                f"{name}: imported {summary['imported']}, updated {summary['updated']}, "
                f"unchanged {summary['unchanged']}, {len(summary['warnings'])} warnings, "
                f"{len(summary['violations'])} violations"
            )
            if profiler is not None:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("tottime").print_stats(30)
                stats.sort_stats("cumulative").print_stats(45)
                print(out.getvalue())
        if explain:  # another batch of new rows, its statements explained (not timed)
            with explained(plans):
                await post(rows[2 * batch : 3 * batch])
    _print_breakdown(columns, batch)
    for plan in plans:
        print(plan)


def _print_breakdown(columns: dict[str, dict[str, float]], batch: int) -> None:
    labels: list[str] = ["request (client, end to end)"]
    labels += [label for _, _, label in STEPS]
    seen = {label for column in columns.values() for label in column}
    labels += sorted(label for label in seen if label.startswith("sql:"))
    names = list(columns)
    print(f"\nprofile of one batch of {batch} rows (seconds):")
    print(f"  {'step':44}" + "".join(f"{n:>12}" for n in names))
    for label in labels:
        if label not in seen:
            continue
        cells = "".join(
            f"{columns[n].get(label, 0):12.3f}" if label in columns[n] else f"{'—':>12}"
            for n in names
        )
        print(f"  {label:44}{cells}")
    request = columns[names[0]].get("request (client, end to end)", 0)
    inside = columns[names[0]].get("import (validate + store)", 0)
    commit = columns[names[0]].get("commit", 0)
    print(
        f"  outside the import (HTTP, JSON, body checks, response, commit) "
        f"{names[0]}: {request - inside:.3f} s (commit {commit:.3f} s)"
    )
