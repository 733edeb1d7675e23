"""The 40 indicators of the reports benchmark: every computation method, with targets.

Listed so that an indicator comes after those it is computed from (the api service checks
references when one is defined).
"""

from typing import Any

PARENTS = "parents_satisfaction"
DIAGNOSTIC = "teacher_professional_deficits"


def _indicator(code: str, name: str, unit: str, method: str, params: dict, **extra: Any) -> dict:
    level = "territory" if method == "organization_share" else "organization"
    return {"code": code, "name": name, "unit": unit, "level": level, "method": method} | {
        "params": params,
        **extra,
    }


def _target(op: str, value: float) -> dict:
    return {"target": {"op": op, "value": value}}


def _data_values() -> list[dict]:
    percent = [
        ("dv_qualified_teachers", "Доля педагогов высшей и первой категории", 80),
        ("dv_pd_completed", "Доля педагогов, прошедших повышение квалификации", 90),
        ("dv_digital_lessons", "Доля уроков с цифровыми ресурсами", 50),
        ("dv_attendance", "Посещаемость", 95),
    ]
    boolean = [
        ("dv_has_vsoko_regulation", "Положение о ВСОКО принято"),
        ("dv_has_psychologist", "В школе есть педагог-психолог"),
        ("dv_has_site_reports", "Отчёт о самообследовании на сайте"),
    ]
    number = [
        ("dv_students", "Обучающихся", 300, 1200),
        ("dv_teachers", "Педагогов", 20, 80),
        ("dv_computers", "Компьютеров для обучающихся", 10, 120),
    ]
    items = [
        _indicator(c, n, "percent", "data_value", {"value_type": "percent", "min": 40, "max": 100})
        | _target(">=", t)
        for c, n, t in percent
    ]
    items += [
        _indicator(c, n, "boolean", "data_value", {"value_type": "boolean"}) | _target(">=", 1)
        for c, n in boolean
    ]
    items += [
        _indicator(c, n, "count", "data_value", {"value_type": "number", "min": lo, "max": hi})
        for c, n, lo, hi in number
    ]
    return items


def _organization_shares() -> list[dict]:
    rows = [
        ("os_vsoko", "Доля ОО с положением о ВСОКО", "dv_has_vsoko_regulation", "==", True, 100),
        ("os_psychologist", "Доля ОО с психологом", "dv_has_psychologist", "==", True, 90),
        ("os_site_reports", "Доля ОО с отчётом на сайте", "dv_has_site_reports", "==", True, 95),
        ("os_qualified_80", "Доля ОО, где ≥ 80 % педагогов с категорией", "dv_qualified_teachers",
         ">=", 80, 60),
        ("os_pd_90", "Доля ОО, где ≥ 90 % педагогов прошли ПК", "dv_pd_completed", ">=", 90, 50),
    ]  # fmt: skip
    return [
        _indicator(
            code,
            name,
            "percent",
            "organization_share",
            {"indicator_code": source, "condition": {"op": op, "value": value}},
        )
        | _target(">=", target)
        for code, name, source, op, value, target in rows
    ]


def _assessments() -> list[dict]:
    rows = [
        ("am_vpr_math5_share_2", "ВПР, математика, 5 класс: доля «2»", "percent", "vpr",
         "share_2", "Математика", 5, ("<=", 10)),
        ("am_vpr_math5_share_4_5", "ВПР, математика, 5 класс: качество", "percent", "vpr",
         "share_4_5", "Математика", 5, (">=", 50)),
        ("am_vpr_rus5_share_2", "ВПР, русский язык, 5 класс: доля «2»", "percent", "vpr",
         "share_2", "Русский язык", 5, ("<=", 10)),
        ("am_vpr_rus5_share_4_5", "ВПР, русский язык, 5 класс: качество", "percent", "vpr",
         "share_4_5", "Русский язык", 5, (">=", 50)),
        ("am_vpr_math5_mean_score", "ВПР, математика, 5 класс: средний балл", "score", "vpr",
         "mean_score", "Математика", 5, (">=", 11)),
        ("am_vpr_mean_mark", "ВПР, все предметы и классы: средняя отметка", "score", "vpr",
         "mean_mark", None, None, (">=", 3.5)),
        ("am_vpr_math_confirmed", "ВПР, математика: подтвердили отметку", "percent", "vpr",
         "share_confirmed", "Математика", None, (">=", 85)),
        ("am_vpr_participants", "ВПР: участников", "count", "vpr", "participants", None, None,
         None),
        ("am_oge_math_share_2", "ОГЭ, математика: доля «2»", "percent", "oge", "share_2",
         "Математика", 9, ("<=", 5)),
        ("am_oge_rus_share_4_5", "ОГЭ, русский язык: качество", "percent", "oge", "share_4_5",
         "Русский язык", 9, (">=", 60)),
    ]  # fmt: skip
    items = []
    for code, name, unit, procedure, metric, subject, grade, target in rows:
        params = {"procedure": procedure, "metric": metric, "subject": subject, "grade": grade}
        items.append(
            _indicator(code, name, unit, "assessment_metric", params)
            | (_target(*target) if target else {})
        )
    return items


def _surveys() -> list[dict]:
    def questions(area: str, count: int) -> list[str]:
        return [f"ps_{area}_{n}" for n in range(1, count + 1)]

    shares = [
        ("sp_all", "Удовлетворённость родителей", [], 80),
        ("sp_teaching", "Удовлетворённость качеством обучения", questions("teaching", 4), 75),
        ("sp_safety", "Удовлетворённость безопасностью", questions("safety", 3), 85),
        ("sp_food", "Удовлетворённость питанием", questions("food", 3), 70),
    ]
    means = [
        ("sm_all", "Средняя оценка родителей", [], 4.0),
        ("sm_communication", "Оценка взаимодействия с учителями", questions("communication", 4), 4),
        ("sm_openness", "Оценка информационной открытости", questions("openness", 3), 3.8),
    ]
    deficits = [
        ("ds_any", "Доля педагогов с дефицитами", [], True, ("<=", 30)),
        ("ds_subject", "Доля педагогов с предметными дефицитами", ["subject"], True, ("<=", 25)),
        ("ds_methodological_ok", "Доля педагогов без методических дефицитов",
         ["methodological"], False, (">=", 70)),
    ]  # fmt: skip
    survey = {"instrument_code": PARENTS, "audience": "parents"}
    items = [
        _indicator(c, n, "percent", "survey_positive_share", survey | {"question_codes": q})
        | _target(">=", t)
        | {"min_n": 5}
        for c, n, q, t in shares
    ]
    items += [
        _indicator(c, n, "score", "survey_mean", survey | {"question_codes": q})
        | _target(">=", t)
        | {"min_n": 5}
        for c, n, q, t in means
    ]
    items += [
        _indicator(
            c,
            n,
            "percent",
            "deficit_share",
            {"instrument_code": DIAGNOSTIC, "competences": comp, "with_deficit": with_deficit},
        )
        | _target(*target)
        for c, n, comp, with_deficit, target in deficits
    ]
    return items


def _formulas() -> list[dict]:
    rows = [
        ("f_students_per_teacher", "Обучающихся на одного педагога", "number",
         "dv_students.value", "dv_teachers.value", 1, ("<=", 18)),
        ("f_computers_per_100", "Компьютеров на 100 обучающихся", "number",
         "dv_computers.value * 100", "dv_students.value", 1, (">=", 8)),
        ("f_staff_quality", "Индекс кадрового потенциала", "percent",
         "dv_qualified_teachers.value + dv_pd_completed.value", "2", 1, (">=", 80)),
        ("f_food_gap", "Отставание удовлетворённости питанием", "percent",
         "sp_all.value - sp_food.value", None, 1, ("<=", 5)),
        ("f_vpr5_quality", "ВПР, 5 класс: качество по двум предметам", "percent",
         "am_vpr_math5_share_4_5.numerator + am_vpr_rus5_share_4_5.numerator",
         "am_vpr_math5_share_4_5.denominator + am_vpr_rus5_share_4_5.denominator", 100,
         (">=", 50)),
    ]  # fmt: skip
    return [
        _indicator(
            code,
            name,
            unit,
            "formula",
            {"numerator": numerator, "denominator": denominator, "scale": scale},
        )
        | _target(*target)
        for code, name, unit, numerator, denominator, scale, target in rows
    ]


def indicators(region_id: str, period: str) -> list[dict]:
    """The definitions to post, in an order in which references exist; a few carry targets for
    the region or the period besides the default."""
    items = _data_values() + _organization_shares() + _assessments() + _surveys() + _formulas()
    scoped = {
        "sp_all": [{"op": ">=", "value": 85, "scope_type": "territory", "scope_id": region_id}],
        "am_vpr_math5_share_2": [{"op": "<=", "value": 8, "period": period}],
        "os_vsoko": [
            {"op": ">=", "value": 95, "period": period, "scope_type": "territory",
             "scope_id": region_id}
        ],
    }  # fmt: skip
    for item in items:
        item["targets"] = scoped.get(item["code"], [])
    assert len(items) == 40, len(items)
    return items
