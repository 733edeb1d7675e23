"""The test oracle's Calculator: indicator values against targets computed in Python from
inputs fetched over HTTP (no database), as the reports service computed them before the facts
(services/reports/indicator_values/methods/ computes them in SQL now).

Given the definitions, the scopes (each with its organizations) and the inputs the service
fetched (data values, assessment aggregates, survey aggregates), compute per indicator × scope
× period `value, numerator, denominator, n, status, target, previous_value, change`.

Rules of the domain kept here: percentages of a group are pooled (numerators and denominators
summed), except a `data_value` percent or number, of which only the organizations' values are
known (their mean; a count is their sum); `organization_share` counts organizations whose own
value meets a condition; a value built from fewer than `min_n` is `insufficient_data`, not a number.
"""

import ast
import math
import operator
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ORGANIZATION, CLUSTER, TERRITORY = "organization", "cluster", "territory"
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, abs_tol=1e-9),
}
MARK_METRICS = {"share_2": ("2",), "share_3": ("3",), "share_4_5": ("4", "5"), "share_5": ("5",)}
JOURNAL_METRICS = {
    "share_confirmed": "confirmed",
    "share_lowered": "lowered",
    "share_raised": "raised",
}


@dataclass(frozen=True)
class Unit:
    """A scope a value is computed for, with the organizations it covers."""

    scope_type: str
    scope_id: uuid.UUID
    organization_ids: frozenset[uuid.UUID]


@dataclass
class Inputs:
    """What the service fetched; `unavailable` names the inputs whose peer did not answer."""

    # (indicator_code, organization_id, period) -> value (booleans as 1/0)
    data_values: dict[tuple[str, uuid.UUID, str], float] = field(default_factory=dict)
    # (procedure, year, subject, grade) -> aggregate rows grouped by organization
    assessments: dict[tuple[str, str, str | None, int | None], list[dict[str, Any]]] = field(
        default_factory=dict
    )
    # (instrument_code, period, scope_type, scope_id) -> one aggregate item per campaign,
    # each with the campaign's `audience`
    surveys: dict[tuple[str, str, str, uuid.UUID], list[dict[str, Any]]] = field(
        default_factory=dict
    )
    # "data_values", "surveys", or ("assessments", procedure, year, subject, grade) keys
    unavailable: set[Any] = field(default_factory=set)
    # the analysis answers of `organization_flagged_share` (calculator_flags.Flags)
    flags: Any = None


@dataclass
class Value:
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None
    coverage: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    insufficient: bool = False


def _pct(part: float, whole: float) -> float | None:
    return 100 * part / whole if whole else None


def _org_coverage(unit: Unit, reporting: int) -> dict[str, Any]:
    total = len(unit.organization_ids)
    return {
        "organizations": total,
        "organizations_reporting": reporting,
        "organizations_share": _round(_pct(reporting, total)),
    }


def _round(x: float | None, digits: int = 2) -> float | None:
    """Half up on the decimal a reader sees (58.425 → 58.43), as the answers round."""
    if x is None:
        return None
    return float(Decimal(str(x)).quantize(Decimal(10) ** -digits, rounding=ROUND_HALF_UP))


def assessment_key(params: dict[str, Any], period: str) -> tuple[str, str, str | None, int | None]:
    return (params["procedure"], period, params.get("subject"), params.get("grade"))


# --- formulas ----------------------------------------------------------------------------------

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(expression: str, term: Callable[[str, str], float | None]) -> float | None:
    """Arithmetic over `code.part` terms, walked node by node (never `eval`); None when a term
    has no value, a division is by zero or a result leaves the range of float8."""

    def walk(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                raise ValueError("в формуле допустимы только числа")
            return float(node.value)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr not in ("numerator", "denominator", "value"):
                raise ValueError(f"недопустимая часть показателя: {node.attr}")
            return term(node.value.id, node.attr)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and right == 0:
                return None
            result = _BINARY[type(node.op)](left, right)
            return result if math.isfinite(result) else None  # past float8: no value
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = walk(node.operand)
            return None if operand is None else _UNARY[type(node.op)](operand)
        raise ValueError(f"недопустимо в формуле: {type(node).__name__}")

    return walk(ast.parse(expression, mode="eval"))


# --- targets and status ------------------------------------------------------------------------


def select_target(definition: dict[str, Any], unit: Unit, period: str) -> dict[str, Any] | None:
    """The most specific target: period and scope > scope > period > the default `target`; a
    count's naming no kind of scope only at the indicator's own level (a count adds up)."""
    own_level = definition.get("level") or "organization"
    at_or_above = definition.get("unit") != "count" or unit.scope_type == own_level
    best, best_rank = None, None
    for target in definition.get("targets") or []:
        if target.get("period") not in (None, period):
            continue
        scope_type, scope_id = target.get("scope_type"), target.get("scope_id")
        if scope_type is None and not at_or_above:
            continue
        if scope_type is not None and scope_type != unit.scope_type:
            continue
        if scope_id is not None and str(scope_id) != str(unit.scope_id):
            continue
        rank = (scope_type is not None, target.get("period") is not None, scope_id is not None)
        if best_rank is None or rank > best_rank:
            best, best_rank = target, rank
    chosen = best or (definition.get("target") if at_or_above else None)
    return {"op": chosen["op"], "value": chosen["value"]} if chosen else None


def _too_few(value: Value, min_n: int) -> bool:
    """Some answers, but fewer than the indicator asks for (none at all is no data)."""
    return value.n is not None and 0 < value.n < min_n


def status_of(value: Value, target: dict[str, Any] | None) -> str:
    """`achieved`, `not_achieved`, `insufficient_data`, `no_data`; `no_target`: a value, no
    target."""
    if value.insufficient:
        return "insufficient_data"
    if value.value is None:
        return "no_data"
    if target is None:
        return "no_target"
    return "achieved" if OPS[target["op"]](value.value, target["value"]) else "not_achieved"


# --- the calculator ----------------------------------------------------------------------------


class Calculator:
    """Computes values for units and periods, each once (formulas and shares reuse them)."""

    def __init__(
        self,
        definitions: dict[str, dict[str, Any]],
        inputs: Inputs,
        kinds: dict[uuid.UUID, str] | None = None,
    ) -> None:
        self.definitions = definitions
        self.inputs = inputs
        self.kinds = kinds or {}  # organization -> its kind, for `applies_to`
        Key = tuple[str, str, uuid.UUID, str, frozenset[uuid.UUID]]
        self._memo: dict[Key, Value] = {}
        self._busy: set[Key] = set()
        self._assessment_index: dict[tuple, dict[uuid.UUID, list[dict[str, Any]]]] = {}
        self._methods: dict[str, Callable[[dict[str, Any], Unit, str], Value | None]] = {
            "data_value": self._data_value,
            "organization_share": self._organization_share,
            "survey_positive_share": self._survey_positive_share,
            "survey_mean": self._survey_mean,
            "deficit_share": self._deficit_share,
            "assessment_metric": self._assessment_metric,
            "organization_flagged_share": lambda d, u, p: self.inputs.flags.share(d, u, p),
            "formula": self._formula,
        }

    def value(self, code: str, unit: Unit, period: str) -> Value | None:
        """The value after the `min_n` rule (None: the method does not apply to this scope)."""
        # The members are part of the key: an indicator that applies to some kinds only asks for
        # its inputs over those organizations of the scope, not over all of them.
        key = (code, unit.scope_type, unit.scope_id, period, unit.organization_ids)
        if key in self._memo:
            return self._memo[key]
        definition = self.definitions.get(code)
        if definition is None or key in self._busy:  # unknown, or a cycle the api let through
            return Value()
        unit = self._applicable(definition, unit)
        if unit is None:  # an organization of another kind, or a group without its kinds
            return None
        self._busy.add(key)
        try:
            result = self._methods[definition["method"]](definition, unit, period)
        finally:
            self._busy.discard(key)
        if result is not None and _too_few(result, definition.get("min_n", 1)):
            result = Value(
                n=result.n, coverage=result.coverage, missing=result.missing, insufficient=True
            )
        if result is not None:
            self._memo[key] = result
        return result

    def _applicable(self, definition: dict[str, Any], unit: Unit) -> Unit | None:
        """The unit as an indicator with `applies_to` sees it: only organizations of those
        kinds; None when it had organizations and none is of them."""
        kinds = definition.get("applies_to")
        if not kinds:
            return unit
        members = frozenset(o for o in unit.organization_ids if self.kinds.get(o) in kinds)
        if unit.organization_ids and not members:
            return None
        return Unit(unit.scope_type, unit.scope_id, members)

    def item(
        self, code: str, unit: Unit, period: str, previous: str | None
    ) -> dict[str, Any] | None:
        """One answer item: value against its target, and the previous period's value."""
        current = self.value(code, unit, period)
        if current is None:
            return None
        before = self.value(code, unit, previous) if previous else None
        previous_value = before.value if before is not None else None
        target = select_target(self.definitions[code], unit, period)
        change = (
            current.value - previous_value
            if current.value is not None and previous_value is not None
            else None
        )
        return {
            "indicator_code": code,
            "scope_type": unit.scope_type,
            "scope_id": unit.scope_id,
            "period": period,
            "value": _round(current.value),
            "numerator": _round(current.numerator, 4),
            "denominator": _round(current.denominator, 4),
            "n": current.n,
            "target": target,
            "status": status_of(current, target),
            "previous_value": _round(previous_value),
            "change": _round(change),
            "coverage": current.coverage,
            "missing": current.missing,
        }

    # --- methods ---

    def _data_value(self, definition: dict[str, Any], unit: Unit, period: str) -> Value:
        if "data_values" in self.inputs.unavailable:
            return Value(missing=["api"])
        code = definition["code"]
        values = [
            v
            for o in unit.organization_ids
            if (v := self.inputs.data_values.get((code, o, period))) is not None
        ]
        coverage = _org_coverage(unit, len(values))
        if not values:
            return Value(n=0, coverage=coverage)
        if unit.scope_type == ORGANIZATION:
            return Value(value=values[0], n=1, coverage=coverage)
        if (definition.get("params") or {}).get("value_type") == "boolean":
            yes = sum(1 for v in values if v >= 0.5)
            return Value(_pct(yes, len(values)), yes, len(values), len(values), coverage)
        if definition.get("unit") == "count":
            # A count of a group is the sum of its organizations' counts (pupils, teachers).
            return Value(value=sum(values), numerator=sum(values), n=len(values), coverage=coverage)
        # Only the organizations' own figures are known: their mean, not a pooled share.
        return Value(value=sum(values) / len(values), n=len(values), coverage=coverage)

    def _organization_share(
        self, definition: dict[str, Any], unit: Unit, period: str
    ) -> Value | None:
        if unit.scope_type == ORGANIZATION:
            return None  # a share of organizations is a group's figure
        params = definition["params"]
        condition = params["condition"]
        meets, with_value, missing = 0, 0, set()
        for org in sorted(unit.organization_ids):
            own = self.value(
                params["indicator_code"], Unit(ORGANIZATION, org, frozenset({org})), period
            )
            if own is None:
                continue
            missing.update(own.missing)
            if own.value is None:
                continue
            with_value += 1
            meets += OPS[condition["op"]](own.value, float(condition["value"]))
        coverage = _org_coverage(unit, with_value)
        return Value(
            _pct(meets, with_value),
            meets if with_value else None,
            with_value or None,
            with_value,
            coverage,
            sorted(missing),
        )

    def _survey_entries(
        self, definition: dict[str, Any], unit: Unit, period: str
    ) -> list[dict[str, Any]] | None:
        """The campaigns' aggregates for this scope (None when the surveys service is down)."""
        if "surveys" in self.inputs.unavailable:
            return None
        params = definition["params"]
        key = (params["instrument_code"], period, unit.scope_type, unit.scope_id)
        entries = self.inputs.surveys.get(key, [])
        audience = params.get("audience")
        return [e for e in entries if audience is None or e.get("audience") == audience]

    @staticmethod
    def _survey_coverage(
        entries: list[dict[str, Any]], codes: set[str] | None = None
    ) -> dict[str, Any]:
        """Respondents, expected, response rate, and why some groups' figures (or, in groups
        shown, the questions of `codes`, all when empty) were withheld (`withheld`: the
        surveys service's reasons, e.g. "campaign_open", "minimum")."""
        respondents = sum(e.get("n") or 0 for e in entries)
        # Unknown when one group's is (shared/expected_respondents.pooled), and why.
        known = [e.get("expected") for e in entries]
        expected = None if None in known or not known else sum(known)
        unknown = sorted({e["expected_unknown"] for e in entries if e.get("expected_unknown")})
        # A group nobody answered in has nothing withheld.
        withheld = {
            e.get("reason") or "minimum" for e in entries if e.get("suppressed") and e.get("n")
        }
        withheld |= {
            q["reason"]
            for e in entries
            if not e.get("suppressed")
            for q in e.get("questions") or []
            if q.get("suppressed") and (not codes or q["code"] in codes)
        }
        return {
            "respondents": respondents,
            "expected": expected,
            "expected_unknown": "; ".join(unknown) or None,
            "response_rate": _round(_pct(respondents, expected or 0)),
            "withheld": sorted(withheld),
        }

    def _survey_positive_share(self, definition: dict[str, Any], unit: Unit, period: str) -> Value:
        entries = self._survey_entries(definition, unit, period)
        if entries is None:
            return Value(missing=["surveys"])
        respondents, withheld, answerers, questions = _disclosed(definition, entries)
        positive = rated = 0
        for question in questions:
            # All questions: those that have positive answers (likert, yes/no).
            if question.get("rated"):
                positive += question.get("positive") or 0
                rated += question["rated"]
        coverage = self._survey_coverage(entries, _codes(definition))
        if not rated:
            return _nothing_shown(respondents, withheld, answerers, coverage)
        return Value(_pct(positive, rated), positive, rated, respondents, coverage)

    def _survey_mean(self, definition: dict[str, Any], unit: Unit, period: str) -> Value:
        entries = self._survey_entries(definition, unit, period)
        if entries is None:
            return Value(missing=["surveys"])
        respondents, withheld, answerers, questions = _disclosed(definition, entries)
        weighted = answers = 0.0
        for question in questions:
            if question.get("mean") is not None:
                # Pooled: each question's mean weighted by its answers.
                weighted += question["mean"] * question["n"]
                answers += question["n"]
        coverage = self._survey_coverage(entries, _codes(definition))
        if not answers:
            return _nothing_shown(respondents, withheld, answerers, coverage)
        return Value(weighted / answers, weighted, answers, int(respondents), coverage)

    def _deficit_share(self, definition: dict[str, Any], unit: Unit, period: str) -> Value:
        entries = self._survey_entries(definition, unit, period)
        if entries is None:
            return Value(missing=["surveys"])
        params = definition["params"]
        wanted = set(params.get("competences") or [])
        totals: dict[str, list[int]] = {}
        withheld = 0  # teachers of the groups withheld below the disclosure minimum
        individual = False  # a competence withheld in a group shown (individual results)
        for entry in entries:
            if entry.get("suppressed"):
                withheld += entry.get("n") or 0
                continue
            for competence in entry.get("competences") or []:
                if wanted and competence["code"] not in wanted:
                    continue
                if competence.get("suppressed"):
                    individual |= bool(competence["n"])
                if competence.get("with_deficit") is None:
                    continue
                pair = totals.setdefault(competence["code"], [0, 0])
                pair[0] += competence["with_deficit"]
                pair[1] += competence["n"]
        coverage = self._survey_coverage(entries)
        if individual:
            # No share shown at all: another competence's would say which extreme it is.
            per_competence: dict[str, int] = {}
            for entry in entries:
                for competence in [] if entry.get("suppressed") else entry["competences"]:
                    if not wanted or competence["code"] in wanted:
                        code = competence["code"]
                        per_competence[code] = per_competence.get(code, 0) + competence["n"]
            diagnosed = max(per_competence.values())
            coverage["withheld"] = sorted({*coverage["withheld"], "individual_results"})
            return Value(n=diagnosed, coverage=coverage, insufficient=True)
        totals = {c: p for c, p in totals.items() if p[1]}
        if not totals:
            return Value(n=withheld, coverage=coverage, insufficient=withheld > 0)
        # The aggregates give per competence n and with_deficit, not who has a deficit in any
        # of them; the largest competence share is the best lower bound of "any" they allow.
        deficits, diagnosed = max(totals.values(), key=lambda p: (p[0] / p[1], p[1]))
        n = max(p[1] for p in totals.values())
        if params.get("with_deficit", True):
            return Value(_pct(deficits, diagnosed), deficits, diagnosed, n, coverage)
        return Value(
            _pct(diagnosed - deficits, diagnosed), diagnosed - deficits, diagnosed, n, coverage
        )

    def _assessment_metric(self, definition: dict[str, Any], unit: Unit, period: str) -> Value:
        params = definition["params"]
        key = assessment_key(params, period)
        if ("assessments", *key) in self.inputs.unavailable:
            return Value(missing=["api"])
        by_org = self._assessments_by_org(key)
        rows = [r for o in unit.organization_ids for r in by_org.get(o, ())]
        coverage = _org_coverage(unit, len({str(r["organization_id"]) for r in rows}))
        metric = params["metric"]
        numerator, denominator = _assessment_sums(metric, rows)
        participants = sum(r.get("participants") or 0 for r in rows)
        if metric == "participants":
            return Value(float(participants), None, None, participants, coverage)
        if not denominator:
            return Value(n=0, coverage=coverage)
        value = numerator / denominator
        if metric in MARK_METRICS or metric in JOURNAL_METRICS:
            value *= 100
        return Value(value, numerator, denominator, int(participants), coverage)

    def _assessments_by_org(self, key: tuple) -> dict[uuid.UUID, list[dict[str, Any]]]:
        """One procedure's rows per organization, indexed once: a scope then reads its own
        organizations' rows instead of scanning every row (cost follows organizations)."""
        if key not in self._assessment_index:
            index: dict[uuid.UUID, list[dict[str, Any]]] = {}
            for row in self.inputs.assessments.get(key, []):
                if row.get("organization_id"):
                    index.setdefault(uuid.UUID(str(row["organization_id"])), []).append(row)
            self._assessment_index[key] = index
        return self._assessment_index[key]

    def _pooled_counts(self, params: dict[str, Any]) -> set[str] | None:
        """The codes a formula reads when each is a count posted by organizations, read as its
        value or numerator (a group's value then pools the schools that posted them all)."""
        found = set()
        if not params.get("denominator"):
            return None  # a sum or difference adds up each count over whoever posted it
        for expression in (params["numerator"], params.get("denominator")):
            for node in ast.walk(ast.parse(expression, mode="eval")) if expression else ():
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                    read = self.definitions.get(node.value.id) or {}
                    kind = (read.get("method"), read.get("unit"))
                    if node.attr not in ("value", "numerator") or kind != ("data_value", "count"):
                        return None
                    found.add(node.value.id)
        return found or None

    def _formula(self, definition: dict[str, Any], unit: Unit, period: str) -> Value | None:
        params = definition["params"]
        counts = self._pooled_counts(params)
        if counts is not None and unit.scope_type != ORGANIZATION:
            return self._pooled_formula(params, counts, unit, period)
        used: list[Value] = []

        def term(code: str, part: str) -> float | None:
            found = self.value(code, unit, period)
            if found is None:
                return None
            used.append(found)
            return getattr(found, part)

        numerator = evaluate(params["numerator"], term)
        denominator = evaluate(params["denominator"], term) if params.get("denominator") else None
        missing = sorted({m for v in used for m in v.missing})
        counts = [v.n for v in used if v.n is not None]
        n = min(counts) if counts else None
        if numerator is None or (params.get("denominator") and not denominator):
            return Value(n=n if n else None, missing=missing)
        scale = params.get("scale", 1)
        value = (numerator / denominator if denominator is not None else numerator) * scale
        return Value(value, numerator, denominator, n, missing=missing)

    def _pooled_formula(
        self, params: dict[str, Any], counts: set[str], unit: Unit, period: str
    ) -> Value:
        """Σ of each count over the unit's schools that posted every one of them, put in the
        formula: 1 trained of one school's 10 teachers is 10 %, whatever other schools posted
        teachers only."""
        complete = [
            o
            for o in unit.organization_ids
            if all((c, o, period) in self.inputs.data_values for c in counts)
        ]
        coverage = _org_coverage(unit, len(complete))
        if not complete:
            return Value(coverage=coverage)
        totals = {c: sum(self.inputs.data_values[(c, o, period)] for o in complete) for c in counts}
        numerator = evaluate(params["numerator"], lambda code, part: totals[code])
        denominator = (
            evaluate(params["denominator"], lambda code, part: totals[code])
            if params.get("denominator")
            else None
        )
        if numerator is None or (params.get("denominator") and not denominator):
            return Value(n=len(complete), coverage=coverage)
        value = (numerator / denominator if denominator is not None else numerator) * params.get(
            "scale", 1
        )
        return Value(value, numerator, denominator, len(complete), coverage=coverage)


def _disclosed(
    definition: dict[str, Any], entries: list[dict[str, Any]]
) -> tuple[int, int, int, list[dict[str, Any]]]:
    """Respondents of the disclosed groups, respondents withheld (under the disclosure
    minimum), those who answered the questions asked about withheld in disclosed groups (the
    most of one group's), and the disclosed entries' shown questions asked about."""
    wanted = set(definition["params"].get("question_codes") or [])
    respondents = withheld = answerers = 0
    questions: list[dict[str, Any]] = []
    for entry in entries:
        if entry.get("suppressed"):
            withheld += entry.get("n") or 0
            continue
        respondents += entry.get("n") or 0
        asked = [q for q in entry.get("questions") or [] if not wanted or q["code"] in wanted]
        answerers += max((q["n"] for q in asked if q.get("suppressed")), default=0)
        questions += [q for q in asked if not q.get("suppressed")]
    return respondents, withheld, answerers, questions


def _codes(definition: dict[str, Any]) -> set[str]:
    return set(definition["params"].get("question_codes") or [])


def _nothing_shown(
    respondents: int, withheld: int, answerers: int, coverage: dict[str, Any]
) -> Value:
    """No answer to pool: insufficient when anything was withheld, `n` those who answered
    the questions withheld, else the respondents shown or withheld."""
    return Value(
        n=int(answerers or respondents or withheld),
        coverage=coverage,
        insufficient=withheld + answerers > 0,
    )


def _assessment_sums(metric: str, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Numerator and denominator of a metric, summed over the rows (pooled)."""
    if metric in MARK_METRICS:
        marked = [r for r in rows if r.get("marks")]
        part = sum(r["marks"].get(m, 0) for r in marked for m in MARK_METRICS[metric])
        return part, sum(r.get("participants") or 0 for r in marked)
    if metric == "mean_score":
        scored = [r for r in rows if r.get("mean_score") is not None]
        weighted = sum(r["mean_score"] * (r.get("participants") or 0) for r in scored)
        return weighted, sum(r.get("participants") or 0 for r in scored)
    if metric == "mean_mark":
        marks = [r["marks"] for r in rows if r.get("marks")]
        return (
            sum(int(m) * c for ms in marks for m, c in ms.items()),
            sum(c for ms in marks for c in ms.values()),
        )
    if metric in JOURNAL_METRICS:
        name = JOURNAL_METRICS[metric]
        known = [r for r in rows if r.get(name) is not None]
        return sum(r[name] for r in known), sum(r.get("participants") or 0 for r in known)
    return 0.0, 0.0
