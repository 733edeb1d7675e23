"""The competence-deficit rules over hand-made facts: a deficit shared by enough teachers of a
school goes to its leader, and per competence to the PD centre; the same facts give the same
recommendations."""

from services.reports.recommendations.engine import evaluate, number
from tests.reports.engine_facts import PROGRAMMES, S1, S2, S3, TERRITORY, facts, rules

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
    assert "у 3 из 8 педагогов (37,5\u00a0%)" in s1.text
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


def test_the_same_facts_give_the_same_ids_and_numbers_read_the_russian_way():
    one = evaluate(rules("leader_competence_deficit"), facts(deficits=DEFICITS))
    two = evaluate(rules("leader_competence_deficit"), facts(deficits=dict(DEFICITS)))
    assert [c.id for c in one] == [c.id for c in two]
    assert number(62.5, "percent") == "62,5\u00a0%"  # a no-break space: never split
    assert number(-1.4) == "\u22121,4" and number(-0.04) == "0"  # a minus sign, no «−0»
    assert number(12.0, "count") == "12"
    assert number(None) == "нет данных"


def test_a_teachers_courses_are_listed_once_among_the_actions():
    route = {
        "organization_id": str(S1),
        "staff_id": "2b1f0f5e-4a7d-4c1e-9a51-0c5e7d9b3a11",
        "full_name": "Иванова Анна Петровна",
        "deficits": [{"code": "methodological", "title": "Методические", "share": 40.0}],
        "steps": [{"programme": PROGRAMMES[0], "competences": []}],
    }
    known = facts(programmes=PROGRAMMES)
    known.routes = [route]
    (found,) = evaluate(rules("teacher_own_deficits"), known)
    courses = [a for a in found.actions if a["kind"] == "pd_programme"]
    # The rule's «Пройти обучение: «Современный урок» (36 ч)» said what the course's own
    # action (with its code, for enrolment) says: the list showed the course twice.
    assert courses == [
        {"kind": "pd_programme", "programme_code": "p_lesson", "text": "Современный урок"}
    ]
    assert "«Современный урок» (36 ч)" in found.text
