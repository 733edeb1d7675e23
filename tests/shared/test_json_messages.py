"""A body that is no JSON is answered in Russian: what is wrong, at which line and column, with
no English of the JSON reader; the problem's `detail` names the body, not a character offset.
Endpoint tests send malformed bodies to the real apps; unit tests give pydantic's wordings."""

import re

import pytest
from pydantic import BaseModel, Json, ValidationError

from shared.json_messages import russian_json_error
from shared.validation_messages import russian_message

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# The words of Python's and pydantic's JSON readers.
ENGLISH = re.compile(
    r"Expecting|delimiter|Unterminated|Extra data|Invalid|control character|EOF|expected|"
    r"trailing|key must|escape|decode error|line \d|column \d|There was",
    re.IGNORECASE,
)

# (body, what the message says, line, column)
BODIES = [
    ('{"values":[}', "ожидается значение", 1, 12),
    ('{"values": [1 2]}', "пропущена запятая", 1, 15),
    ('{"values" []}', "пропущено двоеточие", 1, 11),
    ("{values: []}", "имя поля в двойных кавычках", 1, 2),
    ('{"values": []} []', "лишние символы после конца JSON", 1, 16),
    ('{"title": "без конца', "строка в кавычках не закрыта", 1, 11),
    ('{\n  "title": "a\tb"\n}', "управляющий символ", 2, 14),
    ('{\n  "title": "\\q"\n}', "обратная косая черта", 2, 13),
    ('{\n  "a": 1,\n}', "имя поля в двойных кавычках", 3, 1),
    # Cyrillic before the place: columns count characters, not UTF-8 bytes.
    ('{"название": "привет" x}', "пропущена запятая", 1, 23),
    # Cut off (a truncated upload, a copy-paste): not a missing comma.
    ('{"values": [1, 2', "текст JSON оборвался", 1, 17),
    ('{"values": [{"a": 1}\n', "текст JSON оборвался", 2, 1),
]


@pytest.mark.parametrize(
    "path", ["api:/v1/data-values", "surveys:/v1/campaigns", "reports:/v1/recommendation-rules"]
)
@pytest.mark.parametrize(("body", "said", "line", "column"), BODIES)
async def test_a_malformed_json_body_is_said_in_russian_with_its_place(
    path, body, said, line, column, world, api_client, surveys_client, reports_client
):
    service, url = path.split(":")
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    headers = world.headers("admin") | {"content-type": "application/json"}
    answer = await client.post(url, content=body.encode(), headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    (error,) = problem["errors"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"
    assert error["msg"].startswith("JSON записан с ошибкой: "), error
    assert error["msg"].endswith(f" (строка {line}, столбец {column})"), error
    assert said in error["msg"], error
    assert problem["detail"] == "Запрос содержит ошибки: тело запроса (JSON) не читается"
    assert not ENGLISH.search(error["msg"] + problem["detail"]), problem
    assert "body." not in problem["detail"]


async def test_a_body_not_in_utf8_is_said_in_russian(world, api_client):
    headers = world.headers("admin") | {"content-type": "application/json"}
    answer = await api_client.post(
        "/v1/data-values", content='{"values": ["Ш"]}'.encode("cp1251"), headers=headers
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    (error,) = problem["errors"]
    assert error["loc"] == ["body"] and CYRILLIC.search(error["msg"]), error
    assert not ENGLISH.search(error["msg"] + problem["detail"]), problem


class WithJson(BaseModel):
    raw: Json[dict[str, int]]


# (a Json field's text, what the message says, where)
PYDANTIC_TEXTS = [
    ('{"a":[}', "ожидается значение", "(строка 1, столбец 7)"),
    ('{"a" 1}', "пропущено двоеточие", "(строка 1, столбец 6)"),
    ("{a:1}", "имя поля в двойных кавычках", "(строка 1, столбец 2)"),
    ('{"a":1}\nx', "лишние символы", "(строка 2, столбец 1)"),
    ('{"a":[1,]}', "лишняя запятая", "(строка 1, столбец 9)"),
    ('{"a":"x', "строка в кавычках не закрыта", "(строка 1, столбец 7)"),
    ('{"a":', "текст JSON оборвался", "(строка 1, столбец 5)"),
    ("", "текст JSON оборвался", "(строка 1, столбец 1)"),
    # pydantic counts UTF-8 bytes (x at byte 22): said in characters, as people count.
    ('{"а": "привет" x}', "пропущена запятая", "(строка 1, столбец 16)"),
    ('{"а": 1}\n"привет" x', "лишние символы", "(строка 2, столбец 1)"),
]


@pytest.mark.parametrize(("text", "said", "place"), PYDANTIC_TEXTS)
def test_pydantics_json_errors_are_said_in_russian(text, said, place):
    with pytest.raises(ValidationError) as caught:
        WithJson(raw=text)
    (error,) = caught.value.errors()
    message = russian_message(error)
    assert message.startswith("JSON записан с ошибкой: ") and said in message, message
    assert message.endswith(place), message
    assert not ENGLISH.search(message), message


def test_a_wording_not_known_is_said_generally_never_in_english():
    message = russian_json_error("Something new went wrong", 3, 4)
    assert message == "JSON записан с ошибкой: текст не читается как JSON (строка 3, столбец 4)"
    assert russian_json_error("") == "JSON записан с ошибкой: текст не читается как JSON"


@pytest.mark.parametrize("body", [b"", b"[]", b'"values"'])
async def test_a_body_missing_or_of_the_wrong_shape_is_named_in_russian(body, world, api_client):
    headers = world.headers("admin") | {"content-type": "application/json"}
    answer = await api_client.post("/v1/data-values", content=body, headers=headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert [e["loc"] for e in problem["errors"]] == [["body"]]
    assert problem["detail"] == "Запрос содержит ошибки: тело запроса"


# (body, what the message says): each read by FastAPI as a 400 that said all three causes at
# once («не в кодировке UTF-8, повреждённые данные формы или слишком длинное число»).
UNREADABLE = [
    (b'{"values": ' + b"[" * 5000 + b"]" * 5000 + b"}", "JSON вложен слишком глубоко"),
    (b'{"values": [{"value": ' + b"7" * 5000 + b"}]}", "число длиннее 4300 цифр"),
    ('{"values": ["Ш"]}'.encode("cp1251"), "текст не в кодировке UTF-8"),
]


@pytest.mark.parametrize(("body", "said"), UNREADABLE)
@pytest.mark.parametrize(
    "path", ["api:/v1/data-values", "surveys:/v1/campaigns", "reports:/v1/recommendation-rules"]
)
async def test_an_unreadable_body_is_said_by_its_one_cause(
    path, body, said, world, api_client, surveys_client, reports_client
):
    service, url = path.split(":")
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    headers = world.headers("admin") | {"content-type": "application/json"}
    answer = await client.post(url, content=body, headers=headers)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error == {
        "loc": ["body"],
        "msg": error["msg"],
        "type": "body_unreadable",
    }, error
    assert said in error["msg"] and "," not in error["msg"].split(":", 1)[1], error


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_json_sent_without_its_content_type_is_told_which_header_to_send(
    content_type, world, api_client
):
    """FastAPI reads a body as JSON only under application/json: a valid object sent as text,
    with no type or as a form (curl -d) was answered «ожидается объект» — of the object sent."""
    headers = world.headers("admin")
    if content_type:
        headers |= {"content-type": content_type}
    answer = await api_client.post(
        "/v1/indicators", content=b'{"code": "x", "name": "X"}', headers=headers
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["body"], error
    assert "Content-Type: application/json" in error["msg"], error
    assert "ожидается объект" not in error["msg"], error
