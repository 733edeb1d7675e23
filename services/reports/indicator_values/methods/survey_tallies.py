"""What the survey values read of the campaign tallies for the groups shown to the caller.

The pooled figures of the groups shown (survey_campaigns.py decides which) come from one
query over `fact_answer_tally` and one over `fact_competence_tally` for every campaign, group
and question at once; `wanted_by` says which of them the definitions being computed need.
Positive shares are pooled here over each question set from the questions' own figures,
leaving out the questions withheld in the group (too few answered them there).
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from services.reports.indicator_values.methods.base import Context
from services.reports.indicator_values.methods.survey_campaigns import Campaign
from shared.expected_respondents import pooled

_GROUPS = (
    "unnest(CAST(:campaigns AS uuid[]), CAST(:scope_types AS text[]), CAST(:scope_ids AS uuid[]), "
    "CAST(:orgs AS uuid[])) AS m(campaign_id, scope_type, scope_id, organization_id)"
)
# Each query sums an organization's tallies once (`per_org`), then adds the organizations up
# into every group they are in: an organization is in four or so groups (itself, its cluster,
# its territories), and its tallies are read once, not once per group.
_PAIRS = f"""
    m AS MATERIALIZED (SELECT * FROM {_GROUPS}),
    pairs AS (SELECT DISTINCT campaign_id, organization_id FROM m)
"""  # noqa: S608 (a constant fragment)
_QUESTIONS = text(
    f"""
    WITH {_PAIRS}, per_org AS (
        SELECT t.campaign_id, t.organization_id, t.question, t.n, t.number_sum,
               t.number_count, t.positive, t.rated
        FROM pairs p
        JOIN reports.fact_answer_tally t
          ON t.campaign_id = p.campaign_id AND t.organization_id = p.organization_id
        WHERE t.value = '*' AND t.question <> ''
          AND (CAST(:questions AS text[]) IS NULL OR t.question = ANY(CAST(:questions AS text[])))
    )
    SELECT m.campaign_id, m.scope_type, m.scope_id, o.question, sum(o.n)::int AS n,
           sum(o.number_sum) AS total, sum(o.number_count)::int AS numbers,
           sum(o.positive)::int AS positive, sum(o.rated)::int AS rated
    FROM m JOIN per_org o
      ON o.campaign_id = m.campaign_id AND o.organization_id = m.organization_id
    GROUP BY m.campaign_id, m.scope_type, m.scope_id, o.question
    """  # noqa: S608 (a constant fragment, values bound)
)
_COMPETENCES = text(
    f"""
    WITH {_PAIRS}, per_org AS (
        SELECT t.campaign_id, t.organization_id, t.competence, t.respondents, t.with_deficit
        FROM pairs p
        JOIN reports.fact_competence_tally t
          ON t.campaign_id = p.campaign_id AND t.organization_id = p.organization_id
    )
    SELECT m.campaign_id, m.scope_type, m.scope_id, o.competence,
           sum(o.respondents)::int AS n, sum(o.with_deficit)::int AS with_deficit
    FROM m JOIN per_org o
      ON o.campaign_id = m.campaign_id AND o.organization_id = m.organization_id
    GROUP BY m.campaign_id, m.scope_type, m.scope_id, o.competence
    """  # noqa: S608 (a constant fragment, values bound)
)


@dataclass
class Entry:
    """One campaign's figures for one scope, as its aggregates would give them."""

    audience: str | None
    n: int
    expected: int | None
    reason: str | None  # why withheld; None: shown
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    competences: dict[str, dict[str, int]] = field(default_factory=dict)
    campaign_id: uuid.UUID | None = None
    # per question set (sorted codes; (): every question): positive and rated answers of the
    # questions shown
    shares: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    # per question withheld in this group: why (its figures are not in `shares`)
    question_reasons: dict[str, str] = field(default_factory=dict)
    # per competence withheld in this group (individual results): why; its figures stay in
    # `competences` for the recommendations' exact counts, never for a value shown
    competence_reasons: dict[str, str] = field(default_factory=dict)

    def withheld_answerers(self, codes: tuple[str, ...] | set[str]) -> int:
        """How many answered the questions of `codes` (all when empty) withheld here: the
        most of them, as a question's `n`."""
        return max(
            (
                q["n"]
                for c, q in self.questions.items()
                if c in self.question_reasons and (not codes or c in codes)
            ),
            default=0,
        )


@dataclass(frozen=True)
class Wanted:
    """What the definitions being computed read of the tallies: the question sets of positive
    shares (sorted codes, () for every question), the questions whose own figures means need
    (None: every question), and the competences (deficit shares)."""

    shares: frozenset[tuple[str, ...]] = frozenset()
    questions: frozenset[str] | None = frozenset()
    competences: bool = False


def wanted_by(definitions: list[dict[str, Any]]) -> Wanted:
    """What these survey definitions read."""
    shares, questions, competences = set(), set(), False
    every_question = False
    for definition in definitions:
        codes = tuple(sorted(definition["params"].get("question_codes") or ()))
        if definition["method"] == "survey_positive_share":
            shares.add(codes)
        elif definition["method"] == "survey_mean":
            every_question |= not codes
            questions |= set(codes)
        else:
            competences = True
    # Shares are pooled from the questions' own figures (survey_tallies.entries_of).
    for codes in shares:
        every_question |= not codes
        questions |= set(codes)
    return Wanted(frozenset(shares), None if every_question else frozenset(questions), competences)


def _pooled(entry: Entry, codes: tuple[str, ...]) -> tuple[int, int]:
    """Positive and rated answers of the questions of `codes` (all when empty) shown."""
    positive = rated = 0
    for code, question in entry.questions.items():
        if code in entry.question_reasons or (codes and code not in codes):
            continue
        positive += question["positive"]
        rated += question["rated"]
    return positive, rated


async def entries_of(
    ctx: Context, campaigns: list[Campaign], wanted: Wanted
) -> dict[tuple, list[Entry]]:
    """Per (instrument, period, scope type, scope id): one entry per campaign, with what
    `wanted` asks of the groups shown."""
    shown = [
        (c.id, key, org)
        for c in campaigns
        for key, orgs in c.scopes.items()
        if key not in c.reasons
        for org in orgs
    ]
    params = {
        "campaigns": [s[0] for s in shown],
        "scope_types": [s[1][0] for s in shown],
        "scope_ids": [s[1][1] for s in shown],
        "orgs": [s[2] for s in shown],
    }
    questions: dict[tuple, dict[str, dict[str, Any]]] = {}
    competences: dict[tuple, dict[str, dict[str, int]]] = {}
    if shown and wanted.questions != frozenset():
        questions_of = None if wanted.questions is None else sorted(wanted.questions)
        for r in await ctx.session.execute(_QUESTIONS, params | {"questions": questions_of}):
            questions.setdefault((r.campaign_id, r.scope_type, r.scope_id), {})[r.question] = {
                "n": r.n,
                "mean": round(r.total / r.numbers, 3) if r.numbers else None,
                "positive": r.positive,
                "rated": r.rated,
            }
    if shown and wanted.competences:
        for r in await ctx.session.execute(_COMPETENCES, params):
            competences.setdefault((r.campaign_id, r.scope_type, r.scope_id), {})[r.competence] = {
                "n": r.n,
                "with_deficit": r.with_deficit,
            }
    entries: dict[tuple, list[Entry]] = {}
    for c in campaigns:
        for key, orgs in c.scopes.items():
            expected = pooled(c.expected[org] for org in orgs)
            entry = Entry(
                c.audience,
                sum(c.sizes.get(o, 0) for o in orgs),
                expected,
                c.reasons.get(key),
                questions.get((c.id, *key), {}),
                competences.get((c.id, *key), {}),
                c.id,
            )
            # A question nobody answered here has no figure to withhold (as in the aggregates).
            entry.question_reasons = {
                q: r for q, r in c.question_reasons.get(key, {}).items() if q in entry.questions
            }
            entry.competence_reasons = dict(c.competence_reasons.get(key, {}))
            entry.shares = {codes: _pooled(entry, codes) for codes in wanted.shares}
            entries.setdefault((c.instrument_code, c.period, *key), []).append(entry)
    return entries
