"""Indicator methods: their names, parameter models, units and references (one home).

The api service validates definitions with these models (nothing it stores refers to an
unknown indicator, forms a cycle or mixes units); the reports service computes each method in
`services/reports/indicator_values/methods/` (one module per family) and asks here which
indicators a definition is computed from. Adding a method: its params model here (`PARAMS`,
and its units) and one module there.
"""

import ast
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT, Measure

Op = Literal[">=", ">", "<=", "<", "=="]
Unit = Literal["percent", "count", "score", "boolean", "number"]
# The kinds of organization an indicator may apply to (`applies_to`), in the order shown.
ORGANIZATION_KINDS = ("school", "kindergarten", "additional", "college")
Method = Literal[
    "survey_positive_share",
    "survey_mean",
    "deficit_share",
    "data_value",
    "organization_share",
    "assessment_metric",
    "organization_flagged_share",
    "formula",
]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,79}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataValueParams(Strict):
    value_type: Literal["boolean", "number", "percent"]
    min: Measure | None = None
    max: Measure | None = None


class SurveyParams(Strict):
    instrument_code: Code
    question_codes: list[Code] = Field(default_factory=list, description="Empty: every question")
    audience: Literal["parents", "teachers", "leaders", "students"] | None = None


class DeficitParams(Strict):
    instrument_code: Code
    competences: list[Code] = Field(default_factory=list, description="Empty: any competence")
    with_deficit: bool = True


class Condition(Strict):
    op: Op
    value: bool | Measure


class OrganizationShareParams(Strict):
    indicator_code: Code
    condition: Condition


AssessmentMetricName = Literal[
    "participants",
    "share_2",
    "share_3",
    "share_4_5",
    "share_5",
    "mean_score",
    "mean_mark",
    "share_confirmed",
    "share_lowered",
    "share_raised",
]


class AssessmentMetricParams(Strict):
    procedure: Code
    metric: AssessmentMetricName
    subject: str | None = Field(default=None, max_length=100, description="Empty: every subject")
    grade: int | None = Field(default=None, ge=1, le=11)


class OrganizationFlaggedShareParams(Strict):
    """The share of schools the complex analysis flags (services/reports/analysis)."""

    flag: Literal["objectivity_risk", "low_results", "unfavourable_context", "resilient"]
    risk: Literal["high", "low"] | None = Field(
        default=None,
        description="Для objectivity_risk: high (по умолчанию) — высокий риск, low — любой",
    )

    @model_validator(mode="after")
    def _risk_of_objectivity(self) -> "OrganizationFlaggedShareParams":
        if self.risk is not None and self.flag != "objectivity_risk":
            raise ValueError("risk задаётся только для flag = objectivity_risk")
        return self


_TERM_RE = re.compile(r"\b([a-z][a-z0-9_]*)\.(numerator|denominator|value)\b")


class FormulaParams(Strict):
    """Arithmetic over other indicators: `code.numerator`, `code.denominator`, `code.value`."""

    numerator: str = Field(min_length=1, max_length=1000)
    denominator: str | None = Field(default=None, max_length=1000)
    scale: Measure = Field(default=1, description="100 for percent")

    @field_validator("numerator", "denominator")
    @classmethod
    def _arithmetic_only(cls, expression: str | None) -> str | None:
        if expression is not None:
            check_expression(expression)
        return expression

    def references(self) -> set[str]:
        text = f"{self.numerator} {self.denominator or ''}"
        return {m[1] for m in _TERM_RE.finditer(text)}


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Constant,
    ast.Attribute,
    ast.Name,
    ast.Load,
)


def check_expression(expression: str) -> None:
    """Numbers, + - * /, parentheses and `code.part` terms; nothing else (no calls, no names)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:  # its msg is Python's English: the place is said instead
        where = f" (позиция {exc.offset})" if exc.offset else ""
        raise ValueError(f"формула не разобрана{where}: {expression.strip()}") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(
                "в формуле допустимы только ссылки на показатели (code.numerator, "
                "code.denominator, code.value), числа, + - * / и скобки"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            raise ValueError("в формуле допустимы только числа")
        if isinstance(node, ast.Constant) and not abs(node.value) <= MEASURE_MAX:
            raise ValueError(f"число в формуле по модулю больше {MEASURE_MAX_TEXT}")
        if isinstance(node, ast.Attribute) and (
            not isinstance(node.value, ast.Name)
            or node.attr not in ("numerator", "denominator", "value")
        ):
            raise ValueError(
                "ссылка на показатель пишется как code.numerator, .denominator, .value"
            )
    bare = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    attributes = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    if len(bare) != len(attributes):
        raise ValueError("ссылка на показатель пишется как code.numerator, .denominator, .value")


PARAMS: dict[str, type[Strict]] = {
    "data_value": DataValueParams,
    "survey_positive_share": SurveyParams,
    "survey_mean": SurveyParams,
    "deficit_share": DeficitParams,
    "organization_share": OrganizationShareParams,
    "assessment_metric": AssessmentMetricParams,
    "organization_flagged_share": OrganizationFlaggedShareParams,
    "formula": FormulaParams,
}

# The unit each method yields, where the method fixes it.
METHOD_UNITS: dict[str, tuple[str, ...]] = {
    "survey_positive_share": ("percent",),
    "survey_mean": ("score", "number"),
    "deficit_share": ("percent",),
    "organization_share": ("percent",),
    "organization_flagged_share": ("percent",),
}
VALUE_TYPE_UNITS = {
    "boolean": ("boolean",),
    "percent": ("percent",),
    "number": ("count", "score", "number"),
}
ASSESSMENT_METRIC_UNITS = {
    "participants": ("count",),
    "mean_score": ("score", "number"),
    "mean_mark": ("score", "number"),
}


# Methods computed from campaign tallies (the surveys service's facts).
SURVEY_METHODS = frozenset({"survey_positive_share", "survey_mean", "deficit_share"})


def parse_params(method: str, params: dict[str, Any]) -> Strict:
    """Validate params against the method's model (raises pydantic.ValidationError)."""
    return TypeAdapter(PARAMS[method]).validate_python(params)


def references(method: str, params: Strict | dict[str, Any] | None) -> set[str]:
    """The codes of the other indicators a definition of `method` is computed from; `params`
    as parsed or as stored (a dict; then assumed valid, as the api service stored it)."""
    if method not in ("organization_share", "formula"):
        return set()
    if isinstance(params, dict):
        params = parse_params(method, params)
    if isinstance(params, OrganizationShareParams):
        return {params.indicator_code}
    if isinstance(params, FormulaParams):
        return params.references()
    return set()


def closure(definitions: dict[str, dict[str, Any]], codes: set[str]) -> set[str]:
    """The codes (of `definitions`, by code: `method`, `params`) and every indicator they are
    computed from, transitively; codes not in `definitions` are left out."""
    seen: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code in seen or code not in definitions:
            continue
        seen.add(code)
        definition = definitions[code]
        stack += references(definition["method"], definition.get("params") or {})
    return seen


def pools_schools(params: dict[str, Any], referenced: dict[str, tuple[str, str | None]]) -> bool:
    """Does a group's value of a formula (`params` as stored) pool its schools: a ratio (a
    denominator given) whose every term is the total of a count the schools post (`value` or
    `numerator` of a `data_value` indicator in units: `referenced` gives each code's method
    and unit). Its group value is then Σ numerators / Σ denominators of the schools that
    posted every count (services/reports/indicator_values/methods/formula.py); a sum or a
    difference adds up each count over whoever posted it."""
    if not params.get("denominator"):
        return False
    text = f"{params['numerator']} {params['denominator']}"
    terms = [(m[1], m[2]) for m in _TERM_RE.finditer(text)]
    return bool(terms) and all(
        part in ("value", "numerator") and referenced.get(code) == ("data_value", "count")
        for code, part in terms
    )
