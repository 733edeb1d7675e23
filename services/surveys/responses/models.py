"""Responses and their answers, stored for SQL aggregation.

A response keeps nothing that identifies a person in an anonymous campaign: no address, no
user agent, no time of day (`submitted_on` is a date), and nothing that orders it among the
others (its id is a random UUIDv4; answers have no id of their own). Answers of submitted
responses are rows of `answer`, exactly one per answered question (a `multiple` keeps its
options in an array), keyed by (response, question), with whether it is positive and its
points worked out at submission, so every aggregate is a GROUP BY over indexed columns and a
question's respondents are a count(*). README's "Anonymity" section lists what is stored.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Column, Float, Index, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import metadata
from shared.idempotency import idempotency_table
from shared.ratelimit import rate_limit_table

# How a response came in: through a link ("web"), keyed in from a paper questionnaire by
# someone who manages the campaign ("paper"), or a row of a Yandex Forms or Google Forms export
# imported by such a person ("import"); who keyed in or imported it is not stored.
CHANNELS = ("web", "paper", "import")


class Response(SQLModel, table=True):
    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted')", name="status"),
        CheckConstraint("channel IN ('web', 'paper', 'import')", name="channel"),
        Index("ix_response_campaign_org", "campaign_id", "organization_id", "status"),
        {"schema": "surveys"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="surveys.campaign.id", ondelete="CASCADE")
    organization_id: uuid.UUID
    instrument_version_id: uuid.UUID = Field(foreign_key="surveys.instrument_version.id")
    # Identified campaigns only; unique, so a personal link gives one response.
    invitation_id: uuid.UUID | None = Field(
        default=None, foreign_key="surveys.invitation.id", unique=True, ondelete="CASCADE"
    )
    staff_id: uuid.UUID | None = Field(default=None, index=True)
    status: str = Field(default="submitted", max_length=10)
    draft: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    submitted_on: date | None = None
    channel: str = Field(default="web", max_length=10, sa_column_kwargs={"server_default": "web"})


class Answer(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (
        Index("ix_answer_campaign_org_question", "campaign_id", "organization_id", "question"),
        {"schema": "surveys"},
    )

    # No surrogate key: a global sequence would order the answers, hence the responses.
    response_id: uuid.UUID = Field(
        foreign_key="surveys.response.id", primary_key=True, ondelete="CASCADE"
    )
    question: str = Field(primary_key=True, max_length=40)
    campaign_id: uuid.UUID
    organization_id: uuid.UUID
    option: str | None = Field(default=None, max_length=40)  # single, test_item
    # multiple: the chosen options in one row, so that every answer is exactly one row
    options: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text)))
    number: float | None = Field(default=None, sa_column=Column(Float))  # likert5, yes_no, number
    text: str | None = Field(default=None, sa_column=Column(Text))
    positive: bool | None = None
    points: float | None = Field(default=None, sa_column=Column(Float))


class CompetenceScore(SQLModel, table=True):
    """A respondent's score in one competence of a diagnostic, and whether it is a deficit."""

    __tablename__ = "competence_score"
    __table_args__ = (
        Index("ix_competence_score_campaign_org", "campaign_id", "organization_id", "competence"),
        {"schema": "surveys"},
    )

    response_id: uuid.UUID = Field(
        foreign_key="surveys.response.id", primary_key=True, ondelete="CASCADE"
    )
    competence: str = Field(primary_key=True, max_length=40)
    campaign_id: uuid.UUID
    organization_id: uuid.UUID
    staff_id: uuid.UUID | None = None
    score: float = Field(sa_column=Column(Float, nullable=False))
    max_score: float = Field(sa_column=Column(Float, nullable=False))
    deficit: bool


class AnswerTally(SQLModel, table=True):
    """Running totals per campaign, organization, question and answer, kept by each submission.

    Rows: question "" value "*" counts respondents; value "*" holds a question's answers, sum
    and count of numbers, positive and rated answers; any other value counts that answer
    (an option code, or a number such as "4"). Aggregates read these few rows instead of
    every answer: the cost follows organizations × questions, not responses.
    """

    __tablename__ = "answer_tally"
    __table_args__ = {"schema": "surveys"}

    campaign_id: uuid.UUID = Field(
        foreign_key="surveys.campaign.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(primary_key=True)
    question: str = Field(primary_key=True, max_length=40)
    value: str = Field(primary_key=True, max_length=60)
    n: int = 0
    number_sum: float = Field(
        default=0, sa_column=Column(Float, nullable=False, server_default="0")
    )
    number_count: int = 0
    positive: int = 0
    rated: int = 0


class CompetenceTally(SQLModel, table=True):
    """Running totals of a diagnostic per campaign, organization and competence: how many
    respondents were scored, how many of them with a deficit, the sums of their scores and of
    the maximum scores. Kept by triggers on `competence_score` in the statement that stores a
    submission's scores (so by every writer); counts only, no response, no staff id."""

    __tablename__ = "competence_tally"
    __table_args__ = {"schema": "surveys"}

    campaign_id: uuid.UUID = Field(
        foreign_key="surveys.campaign.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(primary_key=True)
    competence: str = Field(primary_key=True, max_length=40)
    respondents: int = 0
    with_deficit: int = 0
    score_sum: float = Field(default=0, sa_column=Column(Float, nullable=False))
    max_score_sum: float = Field(default=0, sa_column=Column(Float, nullable=False))


class ImportedRow(SQLModel, table=True):
    """A row of an imported export (Yandex Forms, Google Forms) that became a response, by its
    digest (`services.surveys.responses.imports.row_digest`): importing the file again stores
    nothing twice. Nothing links it to its response: no response id, no time."""

    __tablename__ = "imported_row"
    __table_args__ = {"schema": "surveys"}

    campaign_id: uuid.UUID = Field(
        foreign_key="surveys.campaign.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(primary_key=True)
    digest: str = Field(primary_key=True, max_length=64)  # SHA-256, hex


IdempotencyKeys = idempotency_table(metadata, "surveys")
RateLimits = rate_limit_table(metadata, "surveys")
