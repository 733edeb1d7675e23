"""Why a survey indicator has no value when the codes it names do not exist.

A survey definition (`survey_positive_share`, `survey_mean`, `deficit_share`) names an
instrument (`params.instrument_code`) and possibly its questions (`question_codes`) or
competences (`competences`). The api keeps a definition whose codes the surveys service does
not know (the instrument may come later), so its values are computed from nothing. An item
without a value of such an indicator says why instead of a bare «нет данных»:

    reason       unknown_instrument | unknown_question | unknown_competence
    reason_text  «инструмент «x» не найден», «вопрос «q» не найден в инструменте «x»», …

against the instruments the reports service's facts hold (`fact_instrument`, the questions and
competences of every `fact_instrument_version`). A value computed from such an indicator (a
formula, a share of organizations) says the same, naming it. Items with a value, and items of
an indicator whose codes all exist, carry neither key (so kept items stay as they were). A
formula's item without a value because its denominator is 0 (both parts known, `denominator`
0) says `zero_denominator` («знаменатель равен нулю (числитель 0): значение не определено»)
rather than a «нет данных» that sends the analyst looking for data that are there.
"""

from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.indicator_methods import SURVEY_METHODS, closure
from shared.instrument_codes import codes_in
from shared.reinterpreted import decimal_text

UNKNOWN_INSTRUMENT = "unknown_instrument"
UNKNOWN_QUESTION = "unknown_question"
UNKNOWN_COMPETENCE = "unknown_competence"
# Not a code: a formula whose denominator is 0 (no teachers counted: no share of them).
ZERO_DENOMINATOR = "zero_denominator"
# Not a code either: a percent outside 0–100 (computation.out_of_range), said with its value.
OUT_OF_RANGE = "out_of_range"
REASONS = (
    UNKNOWN_INSTRUMENT,
    UNKNOWN_QUESTION,
    UNKNOWN_COMPETENCE,
    ZERO_DENOMINATOR,
    OUT_OF_RANGE,
)

_INSTRUMENTS = text(
    "SELECT i.code, v.definition FROM reports.fact_instrument i "
    "LEFT JOIN reports.fact_instrument_version v ON v.instrument_code = i.code "
    "WHERE i.code = ANY(:codes)"
).bindparams(bindparam("codes", type_=ARRAY(Text)))


async def _known(session: AsyncSession, codes: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """The instruments of these codes the facts hold: code → (question codes, competence
    codes) of all their versions (one query)."""
    known: dict[str, tuple[set[str], set[str]]] = {}
    for code, definition in await session.execute(_INSTRUMENTS, {"codes": sorted(codes)}):
        questions, competences = known.setdefault(code, (set(), set()))
        named = codes_in(definition)
        questions.update(named.questions)
        competences.update(named.competences)
    return known


# A missing part's words, for one code and for several: «вопрос «q» не найден», …
_PARTS = {
    UNKNOWN_QUESTION: ("вопрос {} не найден", "вопросы {} не найдены"),
    UNKNOWN_COMPETENCE: ("компетенция {} не найдена", "компетенции {} не найдены"),
}


def _quoted(codes: list[str]) -> str:
    return ", ".join(f"«{c}»" for c in codes)


def _why(params: dict[str, Any], known: dict[str, tuple[set[str], set[str]]]) -> dict | None:
    """`reason` and `reason_text` of one survey definition's params, or None when its codes
    exist (a question or competence list of which one exists is computed over that one)."""
    instrument = params.get("instrument_code")
    if instrument not in known:
        return {
            "reason": UNKNOWN_INSTRUMENT,
            "reason_text": f"инструмент «{instrument}» не найден",
        }
    questions, competences = known[instrument]
    for field, reason, existing in (
        ("question_codes", UNKNOWN_QUESTION, questions),
        ("competences", UNKNOWN_COMPETENCE, competences),
    ):
        asked = params.get(field) or []
        if asked and not set(asked) & existing:
            missing = _PARTS[reason][len(asked) > 1].format(_quoted(asked))
            said = f"{missing} в инструменте «{instrument}»"
            return {"reason": reason, "reason_text": said}
    return None


async def reasons_of(
    session: AsyncSession, definitions: dict[str, dict[str, Any]], codes: set[str]
) -> dict[str, dict[str, str]]:
    """Of these codes, those whose value cannot be computed because a code of theirs (or of an
    indicator they are computed from) does not exist: code → `reason`, `reason_text`."""
    needed = closure(definitions, codes)
    surveys = {c: definitions[c] for c in needed if definitions[c]["method"] in SURVEY_METHODS}
    if not surveys:
        return {}
    instruments = {d["params"].get("instrument_code") for d in surveys.values()}
    known = await _known(session, {i for i in instruments if i})
    own = {c: why for c, d in surveys.items() if (why := _why(d["params"], known))}
    found = {}
    for code in codes:
        if code in own:
            found[code] = own[code]
            continue
        source = next((c for c in sorted(closure(definitions, {code})) if c in own), None)
        if source is not None:
            why = own[source]
            said = f"{why['reason_text']} (показатель «{source}»)"
            found[code] = {"reason": why["reason"], "reason_text": said}
    return found


async def explain(
    session: AsyncSession, definitions: dict[str, dict[str, Any]], items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The answer items, those without a value whose codes do not exist, or whose formula's
    denominator is 0 (`ZERO_DENOMINATOR`), with `reason` and `reason_text` added (in place;
    returned for convenience)."""
    for item in items:
        if (
            item["value"] is None
            and item.get("denominator") == 0
            and item.get("numerator") is not None
        ):
            item["reason"] = ZERO_DENOMINATOR
            numerator = decimal_text(item["numerator"])
            item["reason_text"] = (
                f"знаменатель равен нулю (числитель {numerator}): значение не определено"
            )
    empty = {i["indicator_code"] for i in items if i["value"] is None and not i.get("reason")}
    if not empty:
        return items
    reasons = await reasons_of(session, definitions, empty)
    for item in items:
        if item["value"] is None and (why := reasons.get(item["indicator_code"])):
            item.update(why)
    return items
