"""The low-reporting rule over hand-made facts: a school late for a data collection is told
what to report and by when."""

import uuid
from datetime import date

import pytest

from services.reports.data_quality.status import Standing
from services.reports.recommendations.engine import evaluate
from services.reports.recommendations.rules import validate
from shared.errors import Invalid
from tests.reports.engine_facts import S1, S2, S3, facts, rules


def _standing(org, present, *, past_due=True, missing=()):
    return Standing(
        collection_id=COLLECTION,
        collection="Сбор данных ОО",
        opens_date=date(2022, 9, 1),
        due_date=date(2022, 10, 1),
        organization_id=org,
        name="—",
        expected=4,
        present=present,
        present_by_due=present,
        missing=tuple(missing),
        status="not_submitted",
        level=0,
        levels=1,
        past_due=past_due,
    )


COLLECTION = uuid.uuid4()


def test_low_reporting_tells_the_late_schools_leader_what_to_report_and_by_when():
    standings = [
        _standing(S1, 4),  # complete: not late
        _standing(S2, 2, missing=("Доля педагогов с КПК", "Число наставников")),
        _standing(S3, 1, past_due=False, missing=("a", "b", "c")),  # not yet due
    ]
    late = [s for s in standings if s.late]
    found = evaluate(rules("leader_low_reporting"), facts(late=late, today=date(2022, 10, 5)))
    [only] = found
    assert (only.addressee_type, only.addressee_id) == ("organization_leader", S2)
    assert only.organization_id == S2 and only.subject == f"collection:{COLLECTION}"
    assert only.text == (
        "Организация «Школа 2» не сдала данные сбора «Сбор данных ОО» за 2022/2023: срок "
        "сдачи 01.10.2022 прошёл, внесено 2 из 4 значений (50\u00a0%). Не внесены показатели: "
        "«Доля педагогов с КПК», «Число наставников». Сдайте данные до 12.10.2022."
    )
    assert only.actions == [
        {
            "kind": "other",
            "text": "Сдать данные сбора «Сбор данных ОО» до 12.10.2022: «Доля педагогов с КПК», "
            "«Число наставников»",
        }
    ]
    assert only.evidence["missing"] == ["Доля педагогов с КПК", "Число наставников"]
    assert only.evidence["completeness"] == 50.0


def test_low_reporting_takes_a_number_of_days_only():
    validate("low_reporting", {"days": 3}, "organization_leader", "{deadline}", [])
    with pytest.raises(Invalid):
        validate("low_reporting", {"days": "3"}, "organization_leader", "{deadline}", [])
    with pytest.raises(Invalid):
        validate("low_reporting", {}, "authority", "{deadline}", [])
