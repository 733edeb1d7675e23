"""A bulk post's body read by orjson answers as the standard JSON reader would."""

import json
import math

import pytest

from shared.json_body import loads
from tests.shared.test_unstorable_input import send
from tests.shared.test_validation import refused

SAME_AS_JSON = [
    b'{"values": [{"value": 64.5, "period": "2022", "x": -0.0, "n": 1E5}]}',
    b'{"a": 1, "a": 2}',  # the last of a repeated key, as json.loads keeps it
    b"9223372036854775807",  # a 64-bit integer
    b"123456789012345678901234567890",  # orjson would read it as a float
    b'"\\ud800"',  # a lone surrogate: orjson refuses it
    b'"\\u0000"',
    '{"a": "Школа"}'.encode("utf-16"),  # orjson reads UTF-8 only
    '\ufeff{"a": 1}'.encode(),  # a UTF-8 byte-order mark
]


@pytest.mark.parametrize("body", SAME_AS_JSON)
def test_a_body_is_read_to_what_the_standard_reader_gives(body):
    value, expected = loads(body), json.loads(body)
    assert value == expected
    assert type(value) is type(expected)


def test_non_finite_numbers_are_read_as_the_standard_reader_reads_them():
    # The standard reader takes them; shared.validation then refuses them naming the field.
    assert math.isnan(loads(b"NaN"))
    assert loads(b"[Infinity, -Infinity, 1e400]") == [math.inf, -math.inf, math.inf]


@pytest.mark.parametrize("body", [b"", b"{", b'{"a": 1,}', b"[1] x"])
def test_what_is_not_json_raises_the_standard_readers_error(body):
    with pytest.raises(json.JSONDecodeError) as caught:
        loads(body)
    with pytest.raises(json.JSONDecodeError) as standard:
        json.loads(body)
    assert (caught.value.msg, caught.value.pos) == (standard.value.msg, standard.value.pos)


async def test_a_lone_surrogate_in_a_bulk_post_is_422_naming_the_row_field(api_client, world):
    row = {"indicator_code": "x\ud800", "organization_id": str(world.s1.id), "period": "2022"}
    body = {"values": [{**row, "value": 1}]}
    answer = await send(api_client, "POST", "/v1/data-values", body, world.headers("admin"))
    refused(answer, ["body", "values", 0, "indicator_code"])
