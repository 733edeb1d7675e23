"""pydantic's validation errors reach users in Russian: by error type, naming the value given;
`type` and `loc` stay pydantic's. Unit tests build the errors with real models; endpoint tests
send malformed requests to the three real apps."""

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

import pytest
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    Json,
    NaiveDatetime,
    ValidationError,
    field_validator,
)
from pydantic_core import PydanticCustomError

from shared.validation_messages import CODE_PATTERNS, SHOWN_LENGTH, russian_message

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


class Colour(Enum):
    red = "red"
    green = "green"


def _no_spaces(value: str) -> str:
    if " " in value:
        raise ValueError("код без пробелов: замените пробел на _")
    return value


def _custom(value: str) -> str:
    raise PydanticCustomError("period", "ожидается 2021/2022, 2022, 2022Q3 или 2022-09")


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=5)
    long_name: str | None = Field(default=None, min_length=3)
    code: str | None = Field(default=None, pattern=r"^[a-z]+$")
    count: int | None = None
    share: float | None = Field(default=None, allow_inf_nan=False)
    flag: bool | None = None
    id: uuid.UUID | None = None
    day: date | None = None
    moment: datetime | None = None
    aware: AwareDatetime | None = None
    naive: NaiveDatetime | None = None
    money: Decimal | None = Field(default=None, max_digits=4, decimal_places=2)
    colour: Colour | None = None
    kind: Literal["school", "college"] | None = None
    items: list[int] | None = Field(default=None, min_length=1, max_length=2)
    pair: list[int] | None = Field(default=None, min_length=2)
    mapping: dict[str, int] | None = None
    positive: int | None = Field(default=None, gt=0)
    at_most: int | None = Field(default=None, le=10)
    step: int | None = Field(default=None, multiple_of=5)
    raw: Json[dict[str, int]] | None = None
    inner: "Inner | None" = None
    link: HttpUrl | None = None
    spaced: Annotated[str | None, AfterValidator(lambda v: v and _no_spaces(v))] = None
    period: str | None = None
    password: str | None = Field(default=None, min_length=12)

    @field_validator("period")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        return _custom(value) if value is not None else None


class Inner(BaseModel):
    size: int


Sample.model_rebuild()


def errors_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return caught.value.errors()


def message(data: dict[str, Any], patterns: dict[str, str] | None = None) -> tuple[str, str]:
    """The one error `data` makes: its type and its Russian message."""
    (error,) = errors_of(data)
    return error["type"], russian_message(error, patterns)


class Required(BaseModel):
    title: str


# fmt: off
CASES = [
    # (data, pydantic's type, what the message says)
    ({"nickname": "x"}, "extra_forbidden", "лишнее поле"),
    ({"name": 5}, "string_type", "ожидается текст (строка), а указано «5»"),
    ({"name": ""}, "string_too_short", "не заполнено: нужен текст"),
    ({"long_name": "ab"}, "string_too_short", "«ab» слишком короткий: нужно не меньше 3 символов"),
    ({"name": "abcdefg"}, "string_too_long", "не больше 5 символов"),
    ({"code": "AB1"}, "string_pattern_mismatch", "значение «AB1» не подходит: нужен текст по "
                                                 "шаблону ^[a-z]+$"),
    ({"count": "много"}, "int_parsing", "ожидается целое число, а указано «много»"),
    ({"count": [1]}, "int_type", "ожидается целое число"),
    ({"count": 2.5}, "int_from_float", "ожидается целое число без дробной части, а указано «2.5»"),
    ({"share": "половина"}, "float_parsing", "ожидается число, а указано «половина»"),
    ({"share": "nan"}, "finite_number", "ожидается конечное число"),
    ({"flag": "maybe"}, "bool_parsing", "ожидается логическое значение: true или false"),
    ({"id": "42"}, "uuid_parsing", "ожидается идентификатор UUID, например"),
    ({"id": 42}, "uuid_type", "ожидается идентификатор UUID, а указано «42»"),
    ({"day": "2024-02-30"}, "date_from_datetime_parsing", "ожидается дата ГГГГ-ММ-ДД"),
    ({"day": "2024-09-01T10:00:00"}, "date_from_datetime_inexact", "ожидается дата без времени"),
    ({"moment": "завтра"}, "datetime_from_date_parsing", "ожидается дата и время ГГГГ-ММ-ДДTЧЧ"),
    ({"moment": [1]}, "datetime_type", "ожидается дата и время"),
    ({"aware": "2024-09-01T10:00:00"}, "timezone_aware", "нет часового пояса: добавьте его"),
    ({"naive": "2024-09-01T10:00:00Z"}, "timezone_naive", "не должно быть часового пояса"),
    ({"money": "много"}, "decimal_parsing", "ожидается десятичное число, а указано «много»"),
    ({"money": "123.45"}, "decimal_max_digits", "в числе «123.45» больше 4 цифр"),
    ({"money": "1.234"}, "decimal_max_places", "больше 2 знаков после запятой"),
    ({"colour": "blue"}, "enum", "значение «blue» не подходит; допустимы: 'red' или 'green'"),
    ({"kind": "castle"}, "literal_error", "значение «castle» не подходит; допустимы: 'school' "
                                          "или 'college'"),
    ({"items": 5}, "list_type", "ожидается список, а указано «5»"),
    ({"items": []}, "too_short", "список пуст: нужен хотя бы один элемент"),
    ({"pair": [1]}, "too_short", "слишком мало элементов: нужно не меньше 2 элементов"),
    ({"items": [1, 2, 3]}, "too_long", "слишком много элементов: не больше 2 элементов"),
    ({"mapping": [1]}, "dict_type", "ожидается объект"),
    ({"positive": 0}, "greater_than", "значение «0» должно быть больше 0"),
    ({"at_most": 11}, "less_than_equal", "значение «11» должно быть не больше 10"),
    ({"step": 7}, "multiple_of", "значение «7» должно быть кратно 5"),
    ({"raw": "{oops"}, "json_invalid", "JSON записан с ошибкой"),
    ({"inner": 5}, "model_type", "ожидается объект, а указано «5»"),
    ({"link": "не адрес"}, "url_parsing", "ожидается адрес (URL)"),
    ({"spaced": "a b"}, "value_error", "код без пробелов: замените пробел на _"),
    ({"period": "когда-то"}, "period", "ожидается 2021/2022, 2022, 2022Q3 или 2022-09"),
]
# fmt: on


@pytest.mark.parametrize(("data", "kind", "said"), CASES, ids=[c[1] for c in CASES])
def test_each_error_type_is_said_in_russian(data, kind, said):
    found, text = message(data)
    assert found == kind
    assert said in text, text
    assert "Input should" not in text and "Value error" not in text


def test_a_missing_field_is_said_without_the_whole_body():
    with pytest.raises(ValidationError) as caught:
        Required.model_validate({"other": "x" * 50})
    (error,) = caught.value.errors()
    assert error["type"] == "missing"
    assert russian_message(error) == "не заполнено: поле обязательно"


def test_a_pattern_is_said_in_the_words_given_for_it():
    _, text = message({"code": "AB1"}, {r"^[a-z]+$": "нужны строчные латинские буквы"})
    assert text == "значение «AB1» не подходит: нужны строчные латинские буквы"


def test_the_api_code_patterns_are_said_in_words_not_as_regular_expressions():
    """«Teachers_Count» as an indicator code: what a code may hold, not «по шаблону ^[a-z]…»."""
    for pattern in CODE_PATTERNS:

        class Coded(BaseModel):
            code: str = Field(pattern=pattern)

        with pytest.raises(ValidationError) as caught:
            Coded.model_validate({"code": "Код показателя!"})
        said = russian_message(caught.value.errors()[0])
        assert said.startswith("значение «Код показателя!» не подходит: код — "), said
        assert pattern not in said and "шаблону" not in said


def test_a_bound_is_said_as_a_person_writes_it():
    """Not «должно быть не больше 1000000000000000.0» (an outlier bound of 1e300): 10^15, as
    the data values' own refusals say it; 0 and 100 without «.0»; a decimal comma."""

    class Bounded(BaseModel):
        measure: float = Field(ge=-1e15, le=1e15)
        share: float = Field(ge=0.0, le=100.0)
        ratio: float = Field(gt=0.5)

    for data, said in (
        (
            {"measure": 1e300, "share": 1, "ratio": 1},
            "значение «1e+300» должно быть не больше 10^15",
        ),
        ({"measure": -1e300, "share": 1, "ratio": 1}, "должно быть не меньше -10^15"),
        ({"measure": 1, "share": 101, "ratio": 1}, "значение «101» должно быть не больше 100"),
        ({"measure": 1, "share": -1, "ratio": 1}, "значение «-1» должно быть не меньше 0"),
        ({"measure": 1, "share": 1, "ratio": 0.1}, "значение «0.1» должно быть больше 0,5"),
    ):
        with pytest.raises(ValidationError) as caught:
            Bounded.model_validate(data)
        assert said in russian_message(caught.value.errors()[0])


def test_a_long_value_is_cut_and_a_secret_never_named():
    _, text = message({"count": "x" * 500})
    assert f"«{'x' * SHOWN_LENGTH}…»" in text and "x" * (SHOWN_LENGTH + 1) not in text
    _, text = message({"password": "hunter2"})
    assert "hunter2" not in text and "слишком короткий" in text


def test_an_error_type_we_do_not_know_names_pydantics_type_and_text():
    error = {"type": "frobnicated", "loc": ("x",), "msg": "Input was frobnicated", "input": "q"}
    assert russian_message(error) == (
        "значение «q» не подходит (pydantic, frobnicated: Input was frobnicated)"
    )


def test_a_context_pydantic_words_otherwise_falls_back_instead_of_failing():
    error = {"type": "multiple_of", "loc": ("x",), "msg": "Input should be a multiple of 5"}
    assert "pydantic, multiple_of" in russian_message(error)


# Malformed requests to each service, by what is wrong: (method, path, body, the loc named,
# pydantic's type or "" when it is not the point).
# The surveys service takes no date in a query: its bad date is a campaign's opening moment.
SAID = {
    "missing field": "не заполнено",
    "bad uuid in path": "ожидается идентификатор UUID, например",
    "bad date": "а указано «202",
    "unknown enum value": "не подходит; допустимы:",
    "extra field": "лишнее поле",
}
KINDS = tuple(SAID)


def _campaign(world, **changes: Any) -> dict[str, Any]:
    instrument, _ = world.instruments["nok_parents_2018"]
    return {
        "instrument_id": str(instrument),
        "audience": "parents",
        "organization_ids": [str(world.s1.id)],
        "period": "2021/2022",
        "opens_at": "2022-01-01T00:00:00Z",
        "closes_at": "2022-02-01T00:00:00Z",
    } | changes


def _requests(world) -> dict[str, list[tuple[str, str, Any, list[Any], str]]]:
    school = {"name": "Школа", "kind": "school", "territory_id": str(world.m1.id)}
    rule = dict(code="probe_rule", title="Правило", condition="indicator_below")
    rule |= dict(params={}, addressee_type="authority", template="{indicator}")
    card = f"/v1/reports/organizations/{world.s1.id}?period=2021/2022&as_of=2024-02-30"
    organizations, campaigns, rules = (
        "/v1/organizations",
        "/v1/campaigns",
        "/v1/recommendation-rules",
    )
    no_id = {k: v for k, v in _campaign(world).items() if k != "instrument_id"}
    # fmt: off
    return {
        "api": [
            ("POST", organizations, {"kind": "school"}, ["body", "name"], "missing"),
            ("GET", f"{organizations}/42", None, ["path", "organization_id"], "uuid_parsing"),
            ("GET", "/v1/assessment-calendar?from=2024-02-30", None, ["query", "from"], ""),
            ("POST", organizations, school | {"kind": "castle"}, ["body", "kind"], "literal_error"),
            ("POST", organizations, school | {"context": {"pupils": 5}},
             ["body", "context", "pupils"], "extra_forbidden"),
        ],
        "surveys": [
            ("POST", campaigns, no_id, ["body", "instrument_id"], "missing"),
            ("GET", f"{campaigns}/42", None, ["path", "campaign_id"], "uuid_parsing"),
            ("POST", campaigns, _campaign(world, opens_at="2022-02-30"), ["body", "opens_at"], ""),
            ("POST", campaigns, _campaign(world, audience="aliens"), ["body", "audience"],
             "literal_error"),
            ("POST", "/v1/instruments", {"colour": "red"}, ["body", "colour"], "extra_forbidden"),
        ],
        "reports": [
            ("POST", rules, {"code": "probe_rule"}, ["body", "title"], "missing"),
            ("GET", f"{rules}/42", None, ["path", "rule_id"], "uuid_parsing"),
            ("GET", card, None, ["query", "as_of"], ""),
            ("POST", rules, rule | {"condition": "moon_phase"}, ["body", "condition"],
             "literal_error"),
            ("POST", rules, rule | {"colour": "red"}, ["body", "colour"], "extra_forbidden"),
        ],
    }
    # fmt: on


@pytest.mark.parametrize("what", KINDS)
@pytest.mark.parametrize("service", ["api", "surveys", "reports"])
async def test_a_malformed_request_is_answered_in_russian(
    service, what, world, api_client, surveys_client, reports_client
):
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    method, path, body, loc, kind = _requests(world)[service][KINDS.index(what)]
    answer = await client.request(method, path, json=body, headers=world.headers("admin"))
    assert answer.status_code == 422, (path, answer.text)
    assert answer.headers["content-type"] == "application/problem+json"
    errors = answer.json()["errors"]
    named = [e for e in errors if e["loc"] == loc]
    assert named, (path, loc, errors)
    assert not kind or named[0]["type"] == kind, named
    assert all(CYRILLIC.search(e["msg"]) for e in errors), errors
    assert not any(re.search(r"Input should|Field required|Extra inputs", e["msg"]) for e in errors)
    assert SAID[what] in named[0]["msg"], named


async def test_our_validators_message_reaches_the_user_without_pydantics_prefix(
    surveys_client, world
):
    campaign = _campaign(world, closes_at="2021-12-31T00:00:00Z")
    answer = await surveys_client.post(
        "/v1/campaigns", json=campaign, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["type"] == "value_error" and error["loc"] == ["body"]
    assert error["msg"] == "closes_at (закрытие) должно быть позже opens_at (открытия)"
