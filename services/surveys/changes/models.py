"""The feed's own tables, and the position columns of every table it carries (see
shared/changes/tables.py); imported by services/surveys/models.py so that Alembic sees them."""

# The tables the feed carries are declared by these modules; their positions are added below.
import services.surveys.campaigns.models
import services.surveys.instruments.models
import services.surveys.responses.models  # noqa: F401
from services.surveys.changes.entities import FEED
from shared.changes.tables import change_tables, track
from shared.db import metadata

ChangeTombstones, ChangeHorizon = change_tables(metadata, FEED.schema)
for _entity in FEED.entities:
    track(metadata.tables[_entity.table])
