# One image for the three services and the migrate job; the command picks which.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --system --create-home --uid 10001 soko
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY migrations ./migrations
RUN pip install . && rm -rf /app/shared /app/services /app/migrations

USER soko
ENV SOKO_HOST=0.0.0.0 SOKO_ENVIRONMENT=production
EXPOSE 8000 8001 8002
CMD ["soko", "serve", "api"]
