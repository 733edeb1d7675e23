"""The version of the surveys service's data: an opaque string that changes on every write.

Responses and answers (millions of rows) are never scanned. Each submitted response adds one
to its campaign's and organization's respondents tally (question "", value "*"), in the same
statement as its answers and tallies, and in the same transaction as a diagnostic's competence
scores (responses/service.py). Only the campaigns that may still take answers are summed: open or
scheduled ones, and those closed within the last hour (a submission accepted just before the
close may commit just after it). The sum, read through the tally's primary key, grows with
every submission; the number of those campaigns drops when one closes, so a closing campaign
cannot offset a submission elsewhere. Drafts are not counted: they are in no aggregate.

A campaign's figures are published a while after it closes (shared/disclosure.py), without
any write: the number of campaigns published by now is part of the version too, so that a
computation made before is not served after.

Campaigns (created, extended, closed early, renamed) and instruments (a new version renames
or changes audiences) are small tables: their counts and a checksum of their `updated_at` are
part of the version. Sums and checksums, unlike a newest timestamp, change also when a write
that started earlier commits later.
"""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.disclosure import published_by

_VERSION = text(
    """
    WITH answering AS (
        SELECT id FROM surveys.campaign WHERE closes_at > now() - interval '1 hour'
    )
    SELECT
        (SELECT count(*) FROM answering) AS answering,
        (SELECT coalesce(sum(t.n), 0)
         FROM answering c
         JOIN surveys.answer_tally t
           ON t.campaign_id = c.id AND t.question = '' AND t.value = '*') AS respondents,
        (SELECT count(*) FROM surveys.campaign) AS campaigns,
        (SELECT count(*) FROM surveys.campaign WHERE closes_at <= :published_by) AS published,
        (SELECT coalesce(sum(hashtext(id::text || extract(epoch FROM updated_at)::text)), 0)
         FROM surveys.campaign) AS campaigns_sum,
        (SELECT count(*) FROM surveys.instrument_version) AS versions,
        (SELECT coalesce(sum(hashtext(id::text || extract(epoch FROM updated_at)::text)), 0)
         FROM surveys.instrument) AS instruments_sum
    """
)


async def data_version(session: AsyncSession) -> str:
    """The current version of the data the reports are computed from."""
    # The clock that decides publication (shared.disclosure.published), not the database's.
    row = (await session.execute(_VERSION, {"published_by": published_by()})).one()
    return (
        f"{row.answering}.{row.respondents}.{row.campaigns}.{row.published}.{row.campaigns_sum}"
        f".{row.versions}.{row.instruments_sum}"
    )
