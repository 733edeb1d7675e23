"""The yardstick of the submission benchmark: FastAPI doing one asyncpg INSERT of the JSON.

SOKO_DATABASE_URL=... uvicorn bench.bare_app:app --port N
"""

import os
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request

from shared.db import plain_url


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(
        plain_url(os.environ["SOKO_DATABASE_URL"]), max_size=10
    )
    await app.state.pool.execute("CREATE TABLE IF NOT EXISTS public.bare_response (payload jsonb)")
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/readyz")
async def ready() -> dict:
    return {"status": "ready"}


@app.post("/responses", status_code=201)
async def respond(request: Request) -> dict:
    await app.state.pool.execute(
        "INSERT INTO public.bare_response (payload) VALUES ($1::jsonb)",
        (await request.body()).decode(),
    )
    return {"status": "ok"}
