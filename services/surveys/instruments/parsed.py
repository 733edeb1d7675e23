"""Parsed instrument versions, one cache per app (`app.state.definitions`).

A version never changes once published, so each is parsed from its stored JSON once per app;
two apps in one process (as the tests make) keep their own.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.models import InstrumentVersion


class Definitions:
    """The parsed definitions of instrument versions by id, filled as they are asked for."""

    def __init__(self) -> None:
        self._parsed: dict[uuid.UUID, InstrumentDefinition] = {}

    async def get(self, session: AsyncSession, version_id: uuid.UUID) -> InstrumentDefinition:
        """The version's definition, read through `session` and parsed the first time.
        `version_id` must name a stored version (a campaign's own)."""
        parsed = self._parsed.get(version_id)
        if parsed is None:
            version = await session.get(InstrumentVersion, version_id)
            assert version is not None
            parsed = InstrumentDefinition.model_validate(version.definition)
            self._parsed[version_id] = parsed
        return parsed
