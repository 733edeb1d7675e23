"""The rules over hand-made facts: deficits shared by a school's teachers, response rates, and
the conditions over the complex analysis (objectivity, ШНОР, resilient schools, task deficits),
a school late for a data collection."""

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.reports.data_quality.status import Standing
from services.reports.recommendations.engine import Facts, evaluate, number
from services.reports.recommendations.facts import campaign_window
from services.reports.recommendations.resolution import judged
from services.reports.recommendations.rules import default_rules, validate
from shared.errors import Invalid

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
    assert "получено ответов: 12 из 30 ожидаемых (40 %), меньше 50 %" in found[0].text
    assert found[0].evidence["rate"] == 40.0


LOW_RESPONSE = (
    "leader_low_response_rate",
    "authority_low_response_rate",
    "leader_low_response_rate_ended",
    "authority_low_response_rate_ended",
)


def _campaign(state: str, closes: str) -> dict:
    # S1: 12 of 30 = 40 %; the territory: 20 of 60 = 33.3 % — both below 50 %.
    return {
        "id": uuid.uuid4(),
        "title": f"Анкета {state}",
        "state": state,
        "closes": closes,
        "organizations": {S1: (12, 30)},
        "territories": {TERRITORY: (20, 60)},
    }


def test_an_open_campaign_asks_for_reminders_before_it_closes():
    found = evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("open", "20.12.2026")]))
    assert sorted(c.rule_code for c in found) == [
        "authority_low_response_rate",
        "leader_low_response_rate",
    ]
    leader = next(c for c in found if c.addressee_id == S1)
    assert "до окончания анкетирования (20.12.2026) напомните участникам" in leader.text
    assert leader.actions[0]["text"].endswith("о сроках (до 20.12.2026)")


def test_an_ended_campaign_speaks_of_the_next_one_never_of_reminding():
    found = evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("ended", "15.05.2022")]))
    assert sorted(c.rule_code for c in found) == [
        "authority_low_response_rate_ended",
        "leader_low_response_rate_ended",
    ]
    for c in found:
        said = c.text + " ".join(a["text"] for a in c.actions)
        assert "завершилось 15.05.2022" in c.text
        assert "следующ" in said
        assert "Напомнить участникам" not in said and "Продлить сроки" not in said
        assert c.evidence["state"] == "ended"


def test_a_campaign_not_yet_open_is_not_flagged():
    assert (
        evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("upcoming", "01.09.2027")])) == []
    )


def test_a_campaign_in_the_first_half_of_its_window_is_not_judged_yet():
    """Five days into a five-week campaign 2 % have answered: too soon to ask for reminders
    or more time; past its middle the same rate is flagged."""
    assert evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("early", "01.01.2027")])) == []
    opens = datetime(2026, 11, 27, 1, 23, tzinfo=UTC)
    closes = opens + timedelta(days=35)
    states = [
        campaign_window(opens, closes, now)["state"]
        for now in (
            opens - timedelta(hours=1),
            opens + timedelta(days=5),
            opens + timedelta(days=17, hours=12),
            opens + timedelta(days=30),
            closes,
        )
    ]
    assert states == ["upcoming", "early", "open", "open", "ended"]
    assert campaign_window(None, closes, opens)["state"] == "open"  # no opening known: judged


def test_the_response_rule_state_is_one_of_open_or_ended():
    with pytest.raises(Invalid):
        validate("low_response_rate", {"threshold": 50, "state": "closed"}, "authority", "", [])


def test_the_same_facts_give_the_same_ids_and_numbers_read_the_russian_way():
    one = evaluate(rules("leader_competence_deficit"), facts(deficits=DEFICITS))
    two = evaluate(rules("leader_competence_deficit"), facts(deficits=dict(DEFICITS)))
    assert [c.id for c in one] == [c.id for c in two]
    assert number(62.5, "percent") == "62,5 %"
    assert number(12.0, "count") == "12"
    assert number(None) == "нет данных"


# --- conditions over the complex analysis (issue 15) ---

S4, S5 = uuid.uuid4(), uuid.uuid4()
NAMES = {S4: "Школа 4", S5: "Школа 5"}


def analysis_facts(**kw) -> Facts:
    made = facts(**kw)
    made.names |= NAMES
    made.org_territory |= {S4: TERRITORY, S5: TERRITORY}
    made.period, made.previous, made.earliest = "2021/2022", "2020/2021", "2019/2020"
    return made


def objectivity_item(org, risk, *codes, subject="Математика", grade=5):
    return {
        "organization_id": org,
        "procedure": "vpr",
        "subject": subject,
        "grade": grade,
        "year": "2021/2022",
        "signs": [{"code": c, "evidence": {"share": 40.0}} for c in codes],
        "risk": risk,
    }


# S1: two signs in one paper = high risk; S2: one sign = low risk; S3: none.
OBJECTIVITY = [
    objectivity_item(S1, "high", "boundary_spike", "journal_mismatch"),
    objectivity_item(S2, "low", "sudden_rise", subject="Русский язык", grade=4),
    objectivity_item(S3, "none"),
]


def test_objectivity_risk_goes_to_the_authority_and_the_leader_of_a_high_risk_school_only():
    found = evaluate(
        rules("authority_objectivity_risk", "leader_objectivity_risk"),
        analysis_facts(objectivity=OBJECTIVITY),
    )
    assert sorted((c.rule_code, c.addressee_id) for c in found) == sorted(
        [("authority_objectivity_risk", TERRITORY), ("leader_objectivity_risk", S1)]
    )
    authority = next(c for c in found if c.addressee_type == "authority")
    assert authority.organization_id is None and authority.subject == f"objectivity:{S1}"
    assert (
        "«Школа 1» по результатам оценочных процедур 2021/2022 выявлены признаки "
        "необъективности (риск: высокий): ВПР, Математика, 5 класс — пик распределения баллов "
        "на границе отметки, расхождение с отметками в журнале." in authority.text
    )
    assert {a["kind"] for a in authority.actions} == {"monitoring_visit", "other"}
    assert "мониторинговый визит и направить независимых наблюдателей" in authority.text
    assert authority.evidence["risk"] == "high"
    assert authority.evidence["papers"][0]["signs"][1]["code"] == "journal_mismatch"


def test_objectivity_risk_low_takes_the_one_sign_schools_too():
    [rule] = rules("authority_objectivity_risk")
    rule.params = {"risk": "low"}
    found = evaluate([rule], analysis_facts(objectivity=OBJECTIVITY))
    assert sorted(c.subject for c in found) == sorted([f"objectivity:{S1}", f"objectivity:{S2}"])
    s2 = next(c for c in found if c.subject == f"objectivity:{S2}")
    assert "(риск: низкий): ВПР, Русский язык, 4 класс — резкий рост результатов" in s2.text


def test_objectivity_risk_is_silent_on_a_low_risk_school():
    found = evaluate(
        rules("authority_objectivity_risk", "leader_objectivity_risk"),
        analysis_facts(objectivity=OBJECTIVITY[1:]),
    )
    assert found == []


# S1 is a ШНОР school (mark 2 in two papers, two years). Results (mean completion, %) and
# the resilient flag: S2 62 (resilient), S3 80 (not resilient), S4 55.
LOW_RESULTS = [
    {
        "organization_id": S1,
        "years": ["2020/2021", "2021/2022"],
        "procedures": [
            {
                "procedure": "vpr",
                "subject": "Математика",
                "grade": 5,
                "year": "2020/2021",
                "criterion": "mark_2_share",
                "value": 35.0,
                "threshold": 30.0,
            },
            {
                "procedure": "vpr",
                "subject": "Русский язык",
                "grade": 5,
                "year": "2021/2022",
                "criterion": "bottom_share",
                "value": 31.5,
                "threshold": 38.0,
            },
        ],
    }
]


def resilient_item(org, result, resilient, index=-1.2):
    return {
        "organization_id": org,
        "index": index,
        "result": result,
        "residual": 10.0,
        "group": "unfavourable" if resilient else "middle",
        "resilient": resilient,
    }


RESILIENT = [
    resilient_item(S1, 30.0, False),
    resilient_item(S2, 62.0, True),
    resilient_item(S3, 80.0, False, index=0.4),
    resilient_item(S4, 55.0, False),
]


def test_a_low_results_school_gets_a_programme_and_the_resilient_school_as_its_mentor():
    found = evaluate(
        rules("leader_low_results_school", "authority_low_results_school"),
        analysis_facts(low_results=LOW_RESULTS, resilient=RESILIENT),
    )
    assert sorted((c.addressee_type, c.addressee_id) for c in found) == sorted(
        [("organization_leader", S1), ("authority", TERRITORY)]
    )
    leader = next(c for c in found if c.addressee_type == "organization_leader")
    assert "(ШНОР) по итогам 2020/2021, 2021/2022" in leader.text
    assert "ВПР, Математика, 5 класс, 2020/2021: доля отметок «2» 35 % (порог 30 %)" in leader.text
    assert "средний процент выполнения 31,5 % — в нижней группе территории" in leader.text
    assert "программу повышения качества образования" in leader.text
    # S2 is resilient: it is the mentor, though S3's result (80 %) is higher.
    assert "«Школа 2» (резильентная школа: 62 % в неблагоприятных условиях)" in leader.text
    assert {"kind": "mentor", "text": leader.actions[1]["text"]} == leader.actions[1]
    assert leader.evidence["mentor"] == {"organization_id": str(S2), "result": 62.0}


def test_without_a_resilient_school_the_best_result_mentors():
    no_resilient = [i | {"resilient": False} for i in RESILIENT]
    [found] = evaluate(
        rules("leader_low_results_school"),
        analysis_facts(low_results=LOW_RESULTS, resilient=no_resilient),
    )
    assert "«Школа 3» (лучший средний результат на территории: 80 %)" in found.text


def test_low_results_school_is_silent_for_a_school_that_is_not_shnor():
    found = evaluate(
        rules("leader_low_results_school", "authority_low_results_school"),
        analysis_facts(low_results=[], resilient=RESILIENT),
    )
    assert found == []


def test_a_resilient_school_goes_to_the_authority_to_share_its_practice():
    [found] = evaluate(rules("authority_resilient_school"), analysis_facts(resilient=RESILIENT))
    assert (found.addressee_id, found.subject) == (TERRITORY, f"resilient:{S2}")
    assert "«Школа 2» в 2021/2022 показывает высокие результаты" in found.text
    assert "(средний процент выполнения 62 %)" in found.text
    assert "(индекс социального благополучия -1,2)" in found.text
    assert found.actions[0] == {
        "kind": "seminar",
        "text": "Семинар по обмену опытом на базе «Школа 2»",
    }


def test_resilient_school_is_silent_when_no_school_is_resilient():
    no_resilient = [i | {"resilient": False} for i in RESILIENT]
    assert (
        evaluate(rules("authority_resilient_school"), analysis_facts(resilient=no_resilient)) == []
    )


def task(number, completion, territory, skill=None):
    return {
        "number": number,
        "level": "basic",
        "skill": skill,
        "max_score": 1,
        "completion": completion,
        "territory_completion": territory,
    }


def profile(org, *tasks):
    return {
        "organization_id": org,
        "procedure": "vpr",
        "subject": "Математика",
        "grade": 5,
        "year": "2021/2022",
        "participants": 20,
        "specification_id": None,
        "tasks": list(tasks),
    }


MATHS_PROGRAMMES = [
    *PROGRAMMES,
    {
        "code": "p_fgos",
        "title": "ФГОС в преподавании предмета",
        "hours": 36,
        "competences": ["subject"],
    },
    {"code": "p_maths", "title": "Решение задач по математике", "hours": 24, "competences": []},
]


def test_a_task_deficit_names_the_skills_to_the_subject_teachers_with_programmes():
    # Defaults: below 50 % and at least 10 points below the territory.
    # Task 1: 40 % against 60 %: 20 points below — a deficit.
    # Task 2: 45 % against 50 %: low, but only 5 points below the territory — not one.
    # Task 3: 55 % against 80 %: 25 points below, but not below 50 % — not one.
    # Task 4: 30 % against 40 %: exactly 10 points below — a deficit.
    [found] = evaluate(
        rules("leader_task_deficit"),
        analysis_facts(
            task_profiles=[
                profile(
                    S1,
                    task("1", 40.0, 60.0, "Умение решать текстовые задачи"),
                    task("2", 45.0, 50.0),
                    task("3", 55.0, 80.0),
                    task("4", 30.0, 40.0),
                )
            ],
            programmes=MATHS_PROGRAMMES,
        ),
    )
    assert (found.addressee_id, found.subject) == (S1, "tasks:vpr:Математика:5")
    assert found.text.startswith("Учителям математики организации «Школа 1»")
    assert (
        "задание 1 «Умение решать текстовые задачи» — 40 % (по территории 60 %); "
        "задание 4 — 30 % (по территории 40 %)." in found.text
    )
    assert "задание 2" not in found.text and "задание 3" not in found.text
    # The programme naming the subject first, then the subject-teaching one.
    assert "«Решение задач по математике» (24 ч); «ФГОС в преподавании" in found.text
    assert [a.get("programme_code") for a in found.actions if "programme_code" in a] == [
        "p_maths",
        "p_fgos",
    ]
    assert [t["number"] for t in found.evidence["tasks"]] == ["1", "4"]


def test_task_deficit_is_silent_on_near_misses():
    near = profile(S1, task("2", 45.0, 50.0), task("3", 55.0, 80.0), task("5", 49.9, 59.8))
    assert evaluate(rules("leader_task_deficit"), analysis_facts(task_profiles=[near])) == []


def test_an_objectivity_rule_takes_risk_high_or_low_only():
    template = "«{where}»: {papers}"
    validate("objectivity_risk", {"risk": "low"}, "authority", template, [])
    with pytest.raises(Invalid) as refused:
        validate("objectivity_risk", {"risk": "medium"}, "authority", template, [])
    assert "возможны: high, low" in str(refused.value.errors)


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
        "сдачи 01.10.2022 прошёл, внесено 2 из 4 значений (50 %). Не внесены показатели: "
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


def test_a_reminder_no_longer_holds_once_the_campaign_ends_or_its_rate_recovers():
    """The generation that sees the campaign judges the open campaign's recommendation again:
    ended (the open rule gives nothing) or answered enough, its cause is gone; a campaign this
    generation did not see, or a school it did not weigh, is not judged."""
    scope = SimpleNamespace(scope_id=TERRITORY, organization_ids=frozenset({S1, S2}))
    opened = _campaign("open", "20.12.2026")
    [leader] = [
        c for c in evaluate(rules(*LOW_RESPONSE), facts(campaigns=[opened])) if c.addressee_id == S1
    ]
    rec = SimpleNamespace(
        addressee_id=S1, organization_id=S1, indicator_code=None, evidence=leader.evidence
    )
    ended = dict(opened, state="ended")
    assert judged(rec, "low_response_rate", facts(campaigns=[ended]), scope)
    recovered = dict(opened, organizations={S1: (25, 30)})
    assert judged(rec, "low_response_rate", facts(campaigns=[recovered]), scope)
    assert evaluate(rules("leader_low_response_rate"), facts(campaigns=[recovered])) == []
    other = dict(opened, id=uuid.uuid4())
    assert not judged(rec, "low_response_rate", facts(campaigns=[other]), scope)
    unweighed = dict(opened, organizations={S2: (1, 30)})
    assert not judged(rec, "low_response_rate", facts(campaigns=[unweighed]), scope)
