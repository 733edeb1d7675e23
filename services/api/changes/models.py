"""The feed's own tables, and the position columns of every table it carries (see
shared/changes/tables.py); imported by services/api/models.py so that Alembic sees them."""

# The tables the feed carries are declared by these modules; their positions are added below.
import services.api.assessment_tasks.models
import services.api.assessments.models
import services.api.collections.models
import services.api.data_values.models
import services.api.indicators.models
import services.api.organizations.models
import services.api.outliers.models
import services.api.roadmaps.models
import services.api.territories.models
import services.api.validation.models  # noqa: F401
from services.api.changes.entities import FEED
from shared.changes.tables import change_tables, track
from shared.db import metadata

ChangeTombstones, ChangeHorizon = change_tables(metadata, FEED.schema)
for _entity in FEED.entities:
    track(metadata.tables[_entity.table])
