"""Submitting responses: checked against the campaign's instrument version, stored as rows.

An anonymous response stores the organization, the day and the channel ("web", or "paper" when
an operator keyed it in), nothing else about the person nor about the operator. A personal
link (identified campaign) gives one response: drafts may be saved and resumed until it is
submitted; after that a second submit is 409.
"""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.campaigns.service import manages
from services.surveys.campaigns.window import status, window
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.parsed import Definitions
from services.surveys.responses import scoring
from services.surveys.responses.models import CompetenceScore, Response
from shared.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests
from shared.identity import Principal
from shared.ratelimit import SharedRateLimit
from shared.scope import ScopeResolver
from shared.settings import get_settings


async def count_public(limit: SharedRateLimit, address: str | None) -> None:
    """Count a public submission against its address's limit (shared by every process);
    TooManyRequests (429 with Retry-After) once the address has used up its window."""
    wait = await limit.retry_after(address or "-")
    if wait is not None:
        raise TooManyRequests(headers={"Retry-After": str(wait)})


@dataclass(frozen=True)
class Admission:
    """How a submission through the API is taken: by whose link, and through which channel."""

    invitation: Invitation | None
    channel: str

    @property
    def anonymous(self) -> bool:
        return self.invitation is None


async def admit(
    session: AsyncSession,
    campaign: Campaign,
    caller: Principal | None,
    scopes: ScopeResolver,
    limit: SharedRateLimit,
    address: str | None,
    *,
    staff_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
) -> Admission:
    """Who may submit, and how it is counted.

    A personal (identified) campaign takes the teacher's own answers only (Forbidden, 403,
    otherwise); a `staff_id` left out is the signed-in teacher's own. An anonymous one takes
    no `staff_id` (Invalid, 422) and anyone's answers: someone who manages the organization's
    campaigns keys in paper questionnaires ("paper", not limited); everyone else, signed in or
    not, is the public ("web", counted against the address's limit: TooManyRequests).
    """
    if not campaign.anonymous:
        own = caller.staff_id if caller is not None else None
        if own is None or staff_id not in (None, own):
            raise Forbidden("Персональную анкету заполняет сам сотрудник, войдя в систему")
        return Admission(await invitation_by(session, campaign.id, staff_id=own), "web")
    if staff_id is not None:  # told, not silently dropped: the sender may think it is kept
        raise Invalid.at(
            "staff_id", "Анкета анонимная: staff_id не принимается, ответ ни с кем не связывается"
        )
    if await manages(caller, scopes, organization_id):
        return Admission(None, "paper")
    # A school the campaign does not ask is said at once, not after the public's rate limit
    # (a 429 «повторите позже» for a request that can never succeed).
    if organization_id is None or (
        await session.get(CampaignOrganization, (campaign.id, organization_id)) is None
    ):
        raise Invalid.at("organization_id", "Организация не участвует в этой кампании")
    await count_public(limit, address)
    return Admission(None, "web")


def ensure_open(campaign: Campaign) -> None:
    """Conflict (409) unless the campaign accepts answers now; the message gives its window
    in the service's time zone (SOKO_TIMEZONE), `opens_at`/`closes_at` as ISO moments."""
    state = status(campaign)
    if state != "open":
        # The window is worded only for the refusal: an open campaign's submission skips it.
        shown = window(campaign, get_settings().timezone)
        word = "ещё не открыта" if state == "scheduled" else "уже закрыта"
        raise Conflict(
            f"Анкета {word}: приём ответов с {shown.opens} по {shown.closes}",
            opens_at=campaign.opens_at.isoformat(),
            closes_at=campaign.closes_at.isoformat(),
        )


# One statement for a submission's answers and its tally updates (and, for an anonymous
# response, the response row itself): fewer round trips on the path every parent takes.
# A `multiple`'s options travel as one text joined by U+001F (arrays of arrays must be
# rectangular); the tally rows are sorted so concurrent submissions lock them in one order.
_WRITE = """
WITH {response}answers AS (
    INSERT INTO surveys.answer (response_id, campaign_id, organization_id, question, option,
                                options, number, text, positive, points)
    SELECT :response, :campaign, :organization, q, opt, string_to_array(opts, chr(31)), num,
           txt, pos, pts
    FROM unnest(CAST(:a_question AS text[]), CAST(:a_option AS text[]),
                CAST(:a_options AS text[]), CAST(:a_number AS float8[]),
                CAST(:a_text AS text[]), CAST(:a_positive AS boolean[]),
                CAST(:a_points AS float8[])) AS x(q, opt, opts, num, txt, pos, pts)
)
INSERT INTO surveys.answer_tally AS t (campaign_id, organization_id, question, value, n,
                                       number_sum, number_count, positive, rated)
SELECT :campaign, :organization, question, value, sum(n), sum(total), sum(numbers),
       sum(positive), sum(rated)
FROM unnest(CAST(:t_question AS text[]), CAST(:t_value AS text[]), CAST(:t_n AS int[]),
            CAST(:t_total AS float8[]), CAST(:t_numbers AS int[]),
            CAST(:t_positive AS int[]), CAST(:t_rated AS int[]))
     AS x(question, value, n, total, numbers, positive, rated)
GROUP BY question, value
ORDER BY question, value
ON CONFLICT (campaign_id, organization_id, question, value) DO UPDATE
    SET n = t.n + EXCLUDED.n, number_sum = t.number_sum + EXCLUDED.number_sum,
        number_count = t.number_count + EXCLUDED.number_count,
        positive = t.positive + EXCLUDED.positive, rated = t.rated + EXCLUDED.rated
"""
_RESPONSE = """response AS (
    INSERT INTO surveys.response (id, campaign_id, organization_id, instrument_version_id,
                                  status, submitted_on, channel)
    VALUES (:response, :campaign, :organization, :version, 'submitted', :today, :channel)
), """
LOCK_INVITATION = text(
    "SELECT 1 FROM surveys.invitation i JOIN surveys.campaign c ON c.id = i.campaign_id"
    " WHERE i.id = :invitation FOR UPDATE OF i FOR KEY SHARE OF c"
)
WRITE_ANSWERS = text(_WRITE.format(response=""))
WRITE_RESPONSE_AND_ANSWERS = text(_WRITE.format(response=_RESPONSE))


def _write_params(
    response_id: uuid.UUID,
    campaign_id: uuid.UUID,
    organization_id: uuid.UUID,
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    tallies = scoring.tally_rows(rows)
    params: dict[str, Any] = {
        "response": response_id,
        "campaign": campaign_id,
        "organization": organization_id,
        "a_question": [r["question"] for r in rows],
        "a_option": [r.get("option") for r in rows],
        "a_options": ["\x1f".join(r["options"]) if r.get("options") else None for r in rows],
        "a_number": [r.get("number") for r in rows],
        "a_text": [r.get("text") for r in rows],
        "a_positive": [r.get("positive") for r in rows],
        "a_points": [r.get("points") for r in rows],
    }
    for i, name in enumerate(("question", "value", "n", "total", "numbers", "positive", "rated")):
        params[f"t_{name}"] = [t[i] for t in tallies]
    return params


async def _store(
    session: AsyncSession,
    campaign: Campaign,
    definition: InstrumentDefinition,
    response: Response,
    answers: dict[str, Any],
    *,
    with_response: bool,
) -> None:
    """Answers, tallies (and the response row itself when `with_response`), then scores."""
    rows = scoring.answer_rows(definition, answers)
    params = _write_params(response.id, campaign.id, response.organization_id, rows)
    if with_response:
        params |= {
            "version": response.instrument_version_id,
            "today": response.submitted_on,
            "channel": response.channel,
        }
        await session.execute(WRITE_RESPONSE_AND_ANSWERS, params)
    else:
        await session.execute(WRITE_ANSWERS, params)
    if definition.kind == "deficit":
        scores = scoring.competence_scores(definition, answers)
        await session.execute(
            insert(CompetenceScore),
            [
                {
                    "response_id": response.id,
                    "campaign_id": campaign.id,
                    "organization_id": response.organization_id,
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
    definitions: Definitions,
    organization_id: uuid.UUID | None,
    answers: dict[str, Any],
    invitation: Invitation | None,
    draft: bool,
    today: date,
    drop_irrelevant: bool = False,
    channel: str = "web",
) -> Response:
    """Validate and store one response (or save a draft of a personal one).

    `definitions`: the app's parsed instrument versions. `channel` is "paper" for an
    anonymous response keyed in by an operator. Raises Conflict
    (409) outside the campaign's window or for a second submit on a personal link, Invalid
    (422, naming the field or question) for answers that do not fit the instrument version.
    """
    ensure_open(campaign)
    if invitation is not None:
        organization_id = invitation.organization_id
    elif campaign.anonymous is False:
        raise Invalid.at("staff_id", "Эта анкета заполняется по персональной ссылке")
    if draft and invitation is None:
        raise Invalid.at("draft", "Черновик можно сохранить только по персональной ссылке")
    member = await session.get(CampaignOrganization, (campaign.id, organization_id))
    if member is None:
        raise Invalid.at("organization_id", "Организация не участвует в этой кампании")
    definition = await definitions.get(session, campaign.instrument_version_id)
    checked = scoring.check_answers(
        definition, answers, complete=not draft, drop_irrelevant=drop_irrelevant
    )
    if checked.errors:
        codes = ", ".join(str(e["loc"][-1]) for e in checked.errors)
        raise Invalid(f"Ответы не приняты: {codes}", errors=checked.errors)
    if invitation is None:
        # An anonymous response: written with its answers by one statement, not through the ORM.
        response = Response(
            campaign_id=campaign.id,
            organization_id=organization_id,
            instrument_version_id=campaign.instrument_version_id,
            status="submitted",
            submitted_on=today,
            channel=channel,
        )
        await _store(session, campaign, definition, response, checked.stored, with_response=True)
        return response
    # The invitation row is locked (it always exists; the response may not yet), so that
    # submits through one link run one after another and only the first gets through; and the
    # campaign's key-shared, as a new response row's foreign key does, so that a change of its
    # period waits for this submission and sees it (campaigns/service.py, `_repurpose`).
    await session.execute(LOCK_INVITATION, {"invitation": invitation.id})
    response = await session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is not None and response.status == "submitted":
        raise Conflict("Ответ по этой ссылке уже отправлен")
    if response is None:
        response = Response(
            campaign_id=campaign.id,
            organization_id=organization_id,
            instrument_version_id=campaign.instrument_version_id,
            invitation_id=invitation.id,
            staff_id=invitation.staff_id,
        )
        session.add(response)
    if draft:
        response.status, response.draft = "draft", checked.answers
        await session.flush()
        return response
    response.status, response.draft, response.submitted_on = "submitted", None, today
    await session.flush()
    await _store(session, campaign, definition, response, checked.stored, with_response=False)
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


async def keyed_in_on(
    session: AsyncSession, campaign_id: uuid.UUID, organization_id: uuid.UUID, day: date
) -> int:
    """How many of the organization's answers to the campaign were keyed in from paper on
    `day` (by whoever: nothing says who keyed a response in), for the operator's counter."""
    query = select(func.count()).where(
        Response.campaign_id == campaign_id,
        Response.organization_id == organization_id,
        Response.channel == "paper",
        Response.submitted_on == day,
    )
    return await session.scalar(query) or 0
