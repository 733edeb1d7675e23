"""Hand-made facts for the recommendation engine's tests (tests/reports/test_recommendation_*.py):
a territory of three schools, the default rules by code, and PD programmes per competence."""

import uuid
from types import SimpleNamespace

from services.reports.recommendations.engine import Facts
from services.reports.recommendations.rules import default_rules

TERRITORY, S1, S2, S3 = (uuid.uuid4() for _ in range(4))


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
