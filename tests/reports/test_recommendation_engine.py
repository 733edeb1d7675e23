"""The rules over hand-made facts: deficits shared by a school's teachers, response rates."""

import uuid
from types import SimpleNamespace

from services.reports.recommendations.engine import Facts, evaluate, number
from services.reports.recommendations.rules import default_rules

TERRITORY, S1, S2, S3 = (uuid.uuid4() for _ in range(4))
CAMPAIGN = uuid.uuid4()


def rules(*codes):
    found = [SimpleNamespace(id=uuid.uuid4(), **r) for r in default_rules() if r["code"] in codes]
    for rule in found:
        rule.active = True
    return found


def facts(**kw) -> Facts:
    return Facts(
        period="2022/2023",
        previous="2021/2022",
        earliest="2020/2021",
        territory_id=TERRITORY,
        definitions={},
        values={},
        earlier={},
        names={TERRITORY: "Район 1", S1: "Школа 1", S2: "Школа 2", S3: "Школа 3"},
        org_territory={S1: TERRITORY, S2: TERRITORY, S3: TERRITORY},
        **kw,
    )


# (teachers diagnosed, with the deficit) per school and competence:
# S1 methodological 3 of 8 = 37.5 % (≥ 30 %, ≥ 3 teachers): yes;
# S2 methodological 2 of 4 = 50 %, but only 2 teachers: no;
# S3 methodological 3 of 12 = 25 %: no; S3 communicative 5 of 12 = 41.7 %: yes.
DEFICITS = {
    (S1, "methodological"): (8, 3),
    (S2, "methodological"): (4, 2),
    (S3, "methodological"): (12, 3),
    (S3, "communicative"): (12, 5),
}
PROGRAMMES = [
    {
        "code": "p_lesson",
        "title": "Современный урок",
        "hours": 36,
        "competences": ["methodological"],
    },
    {
        "code": "p_talk",
        "title": "Диалог с родителями",
        "hours": 24,
        "competences": ["communicative"],
    },
]
TITLES = {"methodological": "Методические компетенции", "communicative": "Коммуникативные"}


def test_a_deficit_shared_by_enough_teachers_of_a_school_goes_to_its_leader():
    found = evaluate(
        rules("leader_competence_deficit"),
        facts(deficits=DEFICITS, programmes=PROGRAMMES, competence_titles=TITLES),
    )
    got = sorted((c.addressee_id, c.subject, c.evidence["share"]) for c in found)
    assert got == sorted(
        [(S1, "competence:methodological", 37.5), (S3, "competence:communicative", 41.7)]
    )
    s1 = next(c for c in found if c.addressee_id == S1)
    assert "у 3 из 8 педагогов (37,5 %)" in s1.text
    assert "«Методические компетенции»" in s1.text
    assert "«Современный урок» (36 ч)" in s1.text
    assert {
        "kind": "pd_programme",
        "programme_code": "p_lesson",
        "text": "Современный урок",
    } in s1.actions


def test_the_pd_centre_gets_one_recommendation_per_competence_with_the_schools():
    [communicative, methodological] = sorted(
        evaluate(
            rules("pd_centre_competence_deficit"),
            facts(deficits=DEFICITS, programmes=PROGRAMMES, competence_titles=TITLES),
        ),
        key=lambda c: c.subject,
    )
    assert communicative.subject == "competence:communicative"
    assert methodological.addressee_id == TERRITORY and methodological.organization_id is None
    assert methodological.evidence["with_deficit"] == 3 and methodological.evidence["teachers"] == 8
    assert "«Школа 1» (3 из 8)" in methodological.text
    assert "Школа 2" not in methodological.text  # 2 teachers are fewer than 3


def test_a_low_response_rate_is_flagged_per_school_and_per_territory():
    campaign = {
        "id": CAMPAIGN,
        "title": "Удовлетворённость родителей",
        # S1: 12 of 30 = 40 % < 50 %; S2: 15 of 30 = 50 % is enough; S3 expects nobody.
        "organizations": {S1: (12, 30), S2: (15, 30), S3: (4, None)},
        "territories": {TERRITORY: (31, 60)},  # 51.7 %
    }
    found = evaluate(
        rules("leader_low_response_rate", "authority_low_response_rate"),
        facts(campaigns=[campaign]),
    )
    assert [(c.rule_code, c.addressee_id) for c in found] == [("leader_low_response_rate", S1)]
    assert "получено 12 ответов из 30 ожидаемых (40 %), меньше 50 %" in found[0].text
    assert found[0].evidence["rate"] == 40.0


def test_the_same_facts_give_the_same_ids_and_numbers_read_the_russian_way():
    one = evaluate(rules("leader_competence_deficit"), facts(deficits=DEFICITS))
    two = evaluate(rules("leader_competence_deficit"), facts(deficits=dict(DEFICITS)))
    assert [c.id for c in one] == [c.id for c in two]
    assert number(62.5, "percent") == "62,5 %"
    assert number(12.0, "count") == "12"
    assert number(None) == "нет данных"
