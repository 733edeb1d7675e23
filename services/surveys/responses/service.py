"""Submitting responses: checked against the campaign's instrument version, stored as rows.

An anonymous response stores the organization and the day, nothing else about the person. A
personal link (identified campaign) gives one response: drafts may be saved and resumed until
it is submitted; after that a second submit is 409.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Float, Integer, String, bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.campaigns.service import status
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.models import InstrumentVersion
from services.surveys.responses import scoring
from services.surveys.responses.models import Answer, CompetenceScore, Response
from shared.errors import Conflict, Invalid, NotFound

# Parsed instrument versions by id: a version never changes, so it is parsed once per process.
_cache: dict[uuid.UUID, InstrumentDefinition] = {}


async def definition_of(session: AsyncSession, version_id: uuid.UUID) -> InstrumentDefinition:
    """The instrument version, parsed once per process (a version never changes)."""
    cached = _cache.get(version_id)
    if cached is None:
        version = await session.get(InstrumentVersion, version_id)
        assert version is not None
        cached = _cache[version_id] = InstrumentDefinition.model_validate(version.definition)
    return cached


def ensure_open(campaign: Campaign) -> None:
    state = status(campaign)
    if state != "open":
        word = "ещё не открыта" if state == "scheduled" else "уже закрыта"
        raise Conflict(
            f"Анкета {word}: приём ответов с {campaign.opens_at:%d.%m.%Y %H:%M} "
            f"по {campaign.closes_at:%d.%m.%Y %H:%M}",
            opens_at=campaign.opens_at.isoformat(),
            closes_at=campaign.closes_at.isoformat(),
        )


_TALLY = text(
    """
    INSERT INTO surveys.answer_tally AS t (campaign_id, organization_id, question, value, n,
                                           number_sum, number_count, positive, rated)
    SELECT :campaign, :organization, question, value, sum(n), sum(total), sum(numbers),
           sum(positive), sum(rated)
    FROM unnest(:questions, :values, :n, :totals, :numbers, :positive, :rated)
         AS x(question, value, n, total, numbers, positive, rated)
    GROUP BY question, value
    ORDER BY question, value
    ON CONFLICT (campaign_id, organization_id, question, value) DO UPDATE
        SET n = t.n + EXCLUDED.n, number_sum = t.number_sum + EXCLUDED.number_sum,
            number_count = t.number_count + EXCLUDED.number_count,
            positive = t.positive + EXCLUDED.positive, rated = t.rated + EXCLUDED.rated
    """
).bindparams(
    bindparam("questions", type_=ARRAY(String)),
    bindparam("values", type_=ARRAY(String)),
    bindparam("n", type_=ARRAY(Integer)),
    bindparam("totals", type_=ARRAY(Float)),
    bindparam("numbers", type_=ARRAY(Integer)),
    bindparam("positive", type_=ARRAY(Integer)),
    bindparam("rated", type_=ARRAY(Integer)),
)


def _tally_params(
    campaign_id: uuid.UUID, organization_id: uuid.UUID, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    tallies = scoring.tally_rows(rows)
    columns = ("questions", "values", "n", "totals", "numbers", "positive", "rated")
    return {"campaign": campaign_id, "organization": organization_id} | {
        name: [t[i] for t in tallies] for i, name in enumerate(columns)
    }


EMPTY_ANSWER = {"option": None, "options": None, "number": None, "text": None, "points": None}


async def _store(
    session: AsyncSession,
    campaign: Campaign,
    definition: InstrumentDefinition,
    response: Response,
    answers: dict[str, Any],
) -> None:
    rows = scoring.answer_rows(definition, answers)
    base = {
        "response_id": response.id,
        "campaign_id": campaign.id,
        "organization_id": response.organization_id,
    }
    if rows:
        await session.execute(
            insert(Answer),
            [
                base | {"option": None, "number": None, "text": None, "points": None} | r
                for r in rows
            ],
        )
    await session.execute(_TALLY, _tally_params(campaign.id, response.organization_id, rows))
    if definition.kind == "deficit":
        scores = scoring.competence_scores(definition, answers)
        await session.execute(
            insert(CompetenceScore),
            [
                base
                | {
                    "staff_id": response.staff_id,
                    "competence": s.competence,
                    "score": s.score,
                    "max_score": s.max_score,
                    "deficit": s.deficit,
                }
                for s in scores
            ],
        )


async def submit(
    session: AsyncSession,
    campaign: Campaign,
    *,
    organization_id: uuid.UUID | None,
    answers: dict[str, Any],
    invitation: Invitation | None,
    draft: bool,
    today: date,
    drop_irrelevant: bool = False,
) -> Response:
    """Validate and store one response (or save a draft of a personal one)."""
    ensure_open(campaign)
    if invitation is not None:
        organization_id = invitation.organization_id
    elif campaign.anonymous is False:
        raise Invalid(
            "Эта анкета заполняется по персональной ссылке",
            errors=[{"loc": ["body", "staff_id"], "msg": "personal link required"}],
        )
    if draft and invitation is None:
        raise Invalid(
            "Черновик можно сохранить только по персональной ссылке",
            errors=[{"loc": ["body", "draft"], "msg": "drafts need a personal link"}],
        )
    member = await session.get(CampaignOrganization, (campaign.id, organization_id))
    if member is None:
        raise Invalid(
            "Организация не участвует в этой кампании",
            errors=[{"loc": ["body", "organization_id"], "msg": "not in this campaign"}],
        )
    definition = await definition_of(session, campaign.instrument_version_id)
    checked = scoring.check_answers(
        definition, answers, complete=not draft, drop_irrelevant=drop_irrelevant
    )
    if checked.errors:
        codes = ", ".join(str(e["loc"][-1]) for e in checked.errors)
        raise Invalid(f"Ответы не приняты: {codes}", errors=checked.errors)
    response = None
    if invitation is not None:
        # The invitation row is locked (it always exists; the response may not yet), so that
        # submits through one link run one after another and only the first gets through.
        await session.execute(
            select(Invitation.id).where(Invitation.id == invitation.id).with_for_update()
        )
        response = await session.scalar(
            select(Response).where(Response.invitation_id == invitation.id)
        )
        if response is not None and response.status == "submitted":
            raise Conflict("Ответ по этой ссылке уже отправлен")
    if response is None:
        response = Response(
            campaign_id=campaign.id,
            organization_id=organization_id,
            instrument_version_id=campaign.instrument_version_id,
            invitation_id=invitation.id if invitation else None,
            staff_id=invitation.staff_id if invitation else None,
        )
        session.add(response)
    if draft:
        response.status, response.draft = "draft", checked.answers
        await session.flush()
        return response
    response.status, response.draft, response.submitted_on = "submitted", None, today
    await session.flush()
    await _store(session, campaign, definition, response, checked.answers)
    return response


async def invitation_by(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    *,
    staff_id: uuid.UUID | None = None,
    code: str | None = None,
) -> Invitation:
    query = select(Invitation).where(Invitation.campaign_id == campaign_id)
    query = (
        query.where(Invitation.staff_id == staff_id)
        if staff_id
        else query.where(Invitation.code == code)
    )
    invitation = await session.scalar(query)
    if invitation is None:
        raise NotFound("Персональная ссылка не найдена")
    return invitation


async def draft_of(session: AsyncSession, invitation: Invitation) -> Response | None:
    return await session.scalar(select(Response).where(Response.invitation_id == invitation.id))
