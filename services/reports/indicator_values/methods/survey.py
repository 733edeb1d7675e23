"""Survey methods over the campaign tallies: `survey_positive_share` (positive answers of the
rated ones, pooled over questions and campaigns), `survey_mean` (answers' mean, pooled) and
`deficit_share` (teachers with a deficit in a competence).

Which campaigns count for a scope, and which of their groups are withheld from the caller:
survey_campaigns.py (the surveys service's disclosure rules). What is read of the tallies of
the groups shown: survey_tallies.py. A withheld group gives its respondents only. A question
withheld in a group shown (fewer than the minimum answered it there, or a difference would
give it away) is left out of the pooled value; a value left with nothing but withheld
questions is `insufficient_data`, its `n` those who answered them. A deficit share whose
competence is withheld in a group shown (fewer than two teachers with the deficit or without
it: individual results) is `insufficient_data`, `coverage.withheld` saying
`individual_results`: not the share of its other competences either, whose largest would
understate it, or say which extreme it is.
"""

from typing import Any

from services.reports.indicator_values.methods.base import Context, Known, Value, pct, rounded
from services.reports.indicator_values.methods.survey_campaigns import campaigns_of
from services.reports.indicator_values.methods.survey_tallies import (
    Entry,
    entries_of,
    wanted_by,
)
from shared.disclosure import INDIVIDUAL_RESULTS
from shared.expected_respondents import pooled, unknown_reason

FACTS = (
    "fact_campaign",
    "fact_campaign_organization",
    "fact_answer_tally",
    "fact_competence_tally",
    "fact_cluster_member",
    "fact_territory",
    "fact_organization",
)


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every survey definition for every scope and period."""
    instruments = sorted({d["params"]["instrument_code"] for d in definitions})
    entries = await entries_of(ctx, await campaigns_of(ctx, instruments), wanted_by(definitions))
    found: Known = {}
    for definition in definitions:
        params = definition["params"]
        audience = params.get("audience")
        for scope in ctx.scopes:
            for period in ctx.periods:
                key = (params["instrument_code"], period, scope.scope_type, scope.scope_id)
                chosen = [
                    e for e in entries.get(key, []) if audience is None or e.audience == audience
                ]
                value = _METHODS[definition["method"]](params, chosen)
                found[(definition["code"], scope.scope_type, scope.scope_id, period)] = value
    return found


def _coverage(
    entries: list[Entry], codes: tuple[str, ...] = (), individual: bool = False
) -> dict[str, Any]:
    """Respondents, expected, response rate, and why some groups' figures (or, in groups
    shown, some questions of `codes`, all when empty) were withheld; `individual`: the
    value's competence was withheld in a group shown (INDIVIDUAL_RESULTS)."""
    respondents = sum(e.n for e in entries)
    # One rule with the surveys' rates and aggregates: unknown when one group's is.
    expected = pooled(e.expected for e in entries)
    withheld = {e.reason for e in entries if e.reason is not None and e.n}
    withheld |= {
        reason
        for e in entries
        if e.reason is None
        for code, reason in e.question_reasons.items()
        if not codes or code in codes
    }
    if individual:
        withheld.add(INDIVIDUAL_RESULTS)
    return {
        "respondents": respondents,
        "expected": expected,
        "expected_unknown": "; ".join(
            sorted({unknown_reason(e.audience or "", e.expected) or "" for e in entries} - {""})
        )
        or None,
        "response_rate": rounded(pct(respondents, expected)),
        "withheld": sorted(withheld),
    }


def _disclosed(
    params: dict[str, Any], entries: list[Entry]
) -> tuple[int, int, int, list[dict[str, Any]]]:
    """Respondents of the groups shown, respondents of the groups withheld, those who answered
    the questions asked about withheld in groups shown, and the shown groups' questions asked
    about that are shown."""
    wanted = set(params.get("question_codes") or [])
    respondents = withheld = answerers = 0
    questions: list[dict[str, Any]] = []
    for entry in entries:
        if entry.reason is not None:
            withheld += entry.n
            continue
        respondents += entry.n
        answerers += entry.withheld_answerers(wanted)
        questions += [
            q
            for c, q in sorted(entry.questions.items())
            if (not wanted or c in wanted) and c not in entry.question_reasons
        ]
    return respondents, withheld, answerers, questions


def _nothing_shown(
    respondents: int, withheld: int, answerers: int, coverage: dict[str, Any]
) -> Value:
    """No answer to pool: `insufficient_data` when something was withheld, its `n` those who
    answered the questions withheld (a question answered by one parent: 1), else the
    respondents of the groups shown or withheld."""
    return Value(
        n=int(answerers or respondents or withheld),
        coverage=coverage,
        insufficient=withheld + answerers > 0,
    )


def _positive_share(params: dict[str, Any], entries: list[Entry]) -> Value:
    respondents, withheld, answerers, _ = _disclosed(params, entries)
    codes = tuple(sorted(params.get("question_codes") or ()))
    pooled = [e.shares.get(codes, (0, 0)) for e in entries if e.reason is None]
    positive = sum(p[0] for p in pooled)
    rated = sum(p[1] for p in pooled)
    coverage = _coverage(entries, codes)
    if not rated:
        return _nothing_shown(respondents, withheld, answerers, coverage)
    return Value(pct(positive, rated), positive, rated, respondents, coverage)


def _mean(params: dict[str, Any], entries: list[Entry]) -> Value:
    respondents, withheld, answerers, questions = _disclosed(params, entries)
    weighted = answers = 0.0
    for question in questions:
        if question["mean"] is not None:
            # Pooled: each question's mean weighted by its answers.
            weighted += question["mean"] * question["n"]
            answers += question["n"]
    coverage = _coverage(entries, tuple(params.get("question_codes") or ()))
    if not answers:
        return _nothing_shown(respondents, withheld, answerers, coverage)
    return Value(weighted / answers, weighted, answers, int(respondents), coverage)


def _deficit_share(params: dict[str, Any], entries: list[Entry]) -> Value:
    wanted = set(params.get("competences") or [])
    totals: dict[str, list[int]] = {}
    withheld = 0
    individual: set[str] = set()  # competences withheld in a group shown
    for entry in entries:
        if entry.reason is not None:
            withheld += entry.n
            continue
        for code, competence in sorted(entry.competences.items()):
            if wanted and code not in wanted:
                continue
            pair = totals.setdefault(code, [0, 0])
            pair[0] += competence["with_deficit"]
            pair[1] += competence["n"]
            if code in entry.competence_reasons:
                individual.add(code)
    totals = {c: p for c, p in totals.items() if p[1]}
    if not totals:
        return Value(n=withheld, coverage=_coverage(entries), insufficient=withheld > 0)
    n = max(p[1] for p in totals.values())
    if individual:
        # One of its competences' shares (100 %, 0 %, 4 of 5) would tell individual results:
        # no share is shown, not even the others' (their largest, or its absence, would say
        # which extreme the one withheld is).
        return Value(n=n, coverage=_coverage(entries, individual=True), insufficient=True)
    # Per competence n and with_deficit, not who has a deficit in any of them: the largest
    # competence share is the best lower bound of "any" they allow.
    deficits, diagnosed = max(totals.values(), key=lambda p: (p[0] / p[1], p[1]))
    coverage = _coverage(entries)
    if params.get("with_deficit", True):
        return Value(pct(deficits, diagnosed), deficits, diagnosed, n, coverage)
    return Value(pct(diagnosed - deficits, diagnosed), diagnosed - deficits, diagnosed, n, coverage)


_METHODS = {
    "survey_positive_share": _positive_share,
    "survey_mean": _mean,
    "deficit_share": _deficit_share,
}
