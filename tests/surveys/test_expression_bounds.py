"""A form's logic takes bounded time whatever an anonymous respondent types: a tester held the
only surveys process for 12 s with 5,000 digits and a letter against forty `${q1} > 5`
conditions (number reading backtracked, quadratic), and for 13 s with 27 letters against a
form's `regex(., '(a+)+$')`. Each check below took seconds to minutes before the fix."""

import math
import time

from services.surveys.instruments import xpath
from services.surveys.instruments.xlsform import from_xlsform
from services.surveys.responses.scoring import check_answers
from tests.surveys.test_xlsform import Sheets, build


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def test_reading_a_long_non_number_is_linear():
    typed = "1" * 50_000 + "x"  # 2.5e9 steps for the old pattern
    value, seconds = timed(
        lambda: xpath.evaluate(xpath.parse("${q1} > 5"), xpath.Context({"q1": typed}))
    )
    assert value is False and seconds < 1
    assert math.isnan(xpath.to_number(typed))
    # Numbers still read as XPath reads them.
    assert [xpath.to_number(t) for t in (" 12 ", "-3.5", ".5", "7.", "-.25")] == [
        12.0,
        -3.5,
        0.5,
        7.0,
        -0.25,
    ]
    assert all(math.isnan(xpath.to_number(t)) for t in ("", "1e3", "1,5", "--1", "1.2.3", "."))


def form(constraint: str) -> Sheets:
    return {
        "survey": [
            [
                "type",
                "name",
                "label::Russian (ru)",
                "constraint",
                "constraint_message::Russian (ru)",
            ],
            ["text", "code", "Код", constraint, "Неверный код"],
        ],
        "settings": [["form_title", "form_id"], ["Коды", "codes_form"]],
    }


def test_a_catastrophic_pattern_gives_up_and_refuses_the_answer():
    definition = from_xlsform(build(form("regex(., '(a|aa)+$')")))
    checked, seconds = timed(
        lambda: check_answers(definition, {"code": "a" * 60 + "!"}, complete=True)
    )
    assert seconds < 2  # 2^60 steps otherwise
    assert [e["msg"] for e in checked.errors] == ["Неверный код"]
    # A pattern that holds is still found, and one that does not compile matches nothing.
    assert check_answers(definition, {"code": "aaa"}, complete=True).errors == []
    broken = from_xlsform(build(form("regex(., '[0-9')")))
    assert [e["msg"] for e in check_answers(broken, {"code": "1"}, complete=True).errors] == [
        "Неверный код"
    ]
