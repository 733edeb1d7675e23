"""The form's reads: which campaign a link opens, the saved draft, the teacher's own profile."""

import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.clients.api import ApiClient
from services.surveys.form import view
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.parsed import Definitions
from services.surveys.responses.models import CompetenceScore, Response
from services.surveys.responses.service import submit
from shared.errors import NotFound, PeerRefused, PeerUnavailable
from shared.value_labels import score_share

logger = logging.getLogger(__name__)

# Links are made by `campaigns.service.new_code` (URL-safe base64); anything else is not a link.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass
class FormLink:
    """What a link opens: a campaign for one organization, personal when it is an invitation."""

    code: str
    campaign: Campaign
    organization_id: uuid.UUID
    invitation: Invitation | None

    @property
    def personal(self) -> bool:
        return self.invitation is not None


@dataclass
class CompetenceResult:
    code: str
    title: str
    score: float
    max_score: float
    threshold_score: float
    deficit: bool

    @property
    def share(self) -> str:
        """The score's share as the teacher's route and recommendations write it
        (`value_labels.score_share`): «33,3 %» for 2 of 6, «40 %» for 2 of 5."""
        return score_share(100 * self.score / self.max_score if self.max_score else 0)


class LinkNotFound(NotFound):
    """No form behind a link code (or not the kind of link asked for): the form answers it with
    its 404 page (`services.surveys.form.router.link_not_found_page`), never problem+json."""


async def resolve(session: AsyncSession, code: str) -> FormLink:
    """The campaign behind an organization's anonymous link or a staff member's personal one
    (LinkNotFound when there is none)."""
    if _CODE.fullmatch(code):
        member = await session.scalar(
            select(CampaignOrganization).where(CampaignOrganization.code == code)
        )
        # An identified campaign's organization codes are never published: only invitations.
        if member is not None:
            campaign = await session.get(Campaign, member.campaign_id)
            if campaign is not None and campaign.anonymous:
                return FormLink(code, campaign, member.organization_id, None)
        invitation = await session.scalar(select(Invitation).where(Invitation.code == code))
        if invitation is not None:
            campaign = await session.get(Campaign, invitation.campaign_id)
            if campaign is not None and not campaign.anonymous:
                return FormLink(code, campaign, invitation.organization_id, invitation)
    raise LinkNotFound("Ссылка на анкету не найдена")


async def store(
    session: AsyncSession,
    link: FormLink,
    definitions: Definitions,
    definition: InstrumentDefinition,
    values: view.FormValues,
    today: date,
    *,
    draft: bool = False,
    channel: str = "web",
) -> None:
    """Submit the form's answers through the link (`submit`: Invalid, Conflict), the answers
    of questions that do not apply dropped (the page's logic hid them)."""
    await submit(
        session,
        link.campaign,
        definitions=definitions,
        organization_id=link.organization_id,
        answers=view.answers_from(definition, values),
        invitation=link.invitation,
        draft=draft,
        today=today,
        drop_irrelevant=True,
        channel=channel,
    )


# Organization names by id, as the api service gave them, kept a while: every parent opening a
# link would otherwise cost a call to the api service. While the api service does not answer,
# the form is shown without the name, and not asked for again for a little while (so that
# the pages do not wait for its retries each time).
NAME_SECONDS = 600.0
RETRY_SECONDS = 30.0
_NAMES: dict[uuid.UUID, tuple[float, str | None]] = {}
_NAMES_MAX = 10_000


async def organization_name(api: ApiClient, organization_id: uuid.UUID) -> str | None:
    """The name of the link's organization (school, kindergarten...) for the form's pages, from
    the api service (`POST /v1/organizations/lookup`, asked as this service: the surveys service
    keeps no names), cached `NAME_SECONDS`; None when the api service does not answer (asked
    again after `RETRY_SECONDS`) or knows no such organization: the form then goes without it
    rather than fail."""
    now = time.monotonic()
    cached = _NAMES.get(organization_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        found = await api.organizations([organization_id])
    except (PeerUnavailable, PeerRefused):
        logger.warning("no organization name for the form: the api service did not answer")
        name, seconds = None, RETRY_SECONDS
    else:
        name = found.get(organization_id, {}).get("name") or None
        seconds = NAME_SECONDS if name else RETRY_SECONDS
    if len(_NAMES) >= _NAMES_MAX:
        _NAMES.clear()
    _NAMES[organization_id] = (now + seconds, name)
    return name


async def profile(
    session: AsyncSession, definition: InstrumentDefinition, response: Response
) -> list[CompetenceResult]:
    """The respondent's scores per competence, in the diagnostic's order."""
    rows = {
        row.competence: row
        for row in await session.scalars(
            select(CompetenceScore).where(CompetenceScore.response_id == response.id)
        )
    }
    return [
        CompetenceResult(
            code=competence.code,
            title=competence.title,
            score=rows[competence.code].score,
            max_score=rows[competence.code].max_score,
            threshold_score=competence.threshold * rows[competence.code].max_score,
            deficit=rows[competence.code].deficit,
        )
        for competence in definition.competences
        if competence.code in rows
    ]
