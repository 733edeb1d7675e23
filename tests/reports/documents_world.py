"""What the report documents' tests share: a roadmap with two indicators and their values,
recommendations and decisions, and readers of the HTML tables and the inline SVG charts.

The numbers, by hand. "trained" (percent, target ≥ 70) is a data value: S1 40 → 60 → 80,
S2 50 → 55 → 50 over 2019/2020 … 2021/2022; a group's value is the mean of its schools' values
(only those are known): M1 and C1 45,0 → 57,5 → 65,0, so M1 misses the target by 5 points and
gained 7,5 points on the year. "mentors" (count, target ≥ 2): S1 1 → 3, S2 1 → 1; a count of
a group is the sum: M1 2 → 4.
"""

import re
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

from services.reports.recommendations.models import Decision, Recommendation
from tests.api.helpers import post_roadmap
from tests.reports.helpers import post_values

PERIOD = "2021/2022"
AS_OF = "2021-12-01"
N = "\u00a0"  # the no-break space before "%" and "п.п."
SVG = "{http://www.w3.org/2000/svg}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRAINED = "Доля педагогов, прошедших КПК"
MENTORS = "Число наставников"


class Tables(HTMLParser):
    """The cell texts of every table of a page, keyed by the table's class."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.rows: list[list[str]] | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.rows = self.tables.setdefault(dict(attrs).get("class") or "", [])
        elif tag == "tr" and self.rows is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(re.sub(r"[ \t\r\n]+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.rows is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self.rows = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def parse(body: str) -> Tables:
    parser = Tables()
    parser.feed(body)
    parser.close()
    return parser


def charts(body: str) -> list[ET.Element]:
    """Every inline SVG, parsed as XML (so each is well-formed)."""
    found = re.findall(r"<svg\b.*?</svg>", body, re.S)
    return [ET.fromstring(svg) for svg in found]  # noqa: S314 (our own answer, not untrusted)


async def post_indicator(api_client, world, code: str, name: str, unit: str, **fields) -> None:
    """`POST /v1/indicators` of a school's data-value indicator (its value type its `unit`),
    as the analyst; `fields` add to or override the definition."""
    answer = await api_client.post(
        "/v1/indicators",
        json={
            "code": code,
            "name": name,
            "unit": unit,
            "level": "organization",
            "method": "data_value",
            "params": {"value_type": unit},
        }
        | fields,
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 201, answer.text


async def roadmap_with_indicators(api_client, world) -> dict:
    analyst = world.headers("analyst")
    answer = await post_roadmap(
        api_client,
        world,
        title="Дорожная карта МСОКО <2021>",
        period=PERIOD,
        passport={
            "goal": "Повышение квалификации педагогов",
            "tasks": "Снизить долю <script>alert(1)</script> без КПК",
        },
        sections=[
            {
                "title": "Подготовка",
                "activities": [
                    {"number": "1.1", "title": "Семинар", "deadline_text": "Сентябрь 2021"},
                    {
                        "number": "1.2",
                        "title": "Курсы КПК",
                        "deadline_text": "до 15.11.2021",
                        "responsible": "Школа 1",
                    },
                    {"number": "1.3", "title": "Мониторинг", "deadline_text": "Май 2022"},
                ],
            },
            {
                "title": "Анализ",
                "activities": [
                    {"number": "2.1", "title": "Справка", "deadline_text": "Октябрь 2021"},
                    {"number": "2.2", "title": "Совещание", "deadline_text": "Декабрь 2021"},
                ],
            },
        ],
    )
    assert answer.status_code == 201, answer.text
    roadmap = answer.json()
    ids = {a["number"]: a["id"] for s in roadmap["sections"] for a in s["activities"]}
    for number, status in (("1.1", "done"), ("2.1", "done"), ("1.2", "in_progress")):
        answer = await api_client.patch(
            f"/v1/activities/{ids[number]}", json={"status": status}, headers=analyst
        )
        assert answer.status_code == 200, answer.text
    for code, name, unit, value_type, target in (
        ("trained", TRAINED, "percent", "percent", 70),
        ("mentors", MENTORS, "count", "number", 2),
    ):
        await post_indicator(
            api_client,
            world,
            code,
            name,
            unit,
            params={"value_type": value_type},
            target={"op": ">=", "value": target},
            roadmap_ids=[roadmap["id"]],
        )
    values = [
        ("trained", world.s1.id, "2019/2020", 40),
        ("trained", world.s2.id, "2019/2020", 50),
        ("trained", world.s1.id, "2020/2021", 60),
        ("trained", world.s2.id, "2020/2021", 55),
        ("trained", world.s1.id, PERIOD, 80),
        ("trained", world.s2.id, PERIOD, 50),
        ("mentors", world.s1.id, "2020/2021", 1),
        ("mentors", world.s2.id, "2020/2021", 1),
        ("mentors", world.s1.id, PERIOD, 3),
        ("mentors", world.s2.id, PERIOD, 1),
    ]
    summary = await post_values(api_client, world, values)
    assert summary["imported"] == len(values), summary
    return roadmap


def recommendation(world, text, addressee_type, addressee_id, **fields) -> Recommendation:
    """A stored recommendation as the engine stores one: its territory's chain in
    `territory_ids` (what a territory's readers read it by)."""
    territory_id = fields.pop("territory_id", world.m1.id)
    territory = next(t for t in (world.m1, world.m2) if t.id == territory_id)
    return Recommendation(
        rule_code="test_rule",
        period=fields.pop("period", PERIOD),
        addressee_type=addressee_type,
        addressee_id=addressee_id,
        territory_id=territory_id,
        territory_ids=[t for t in (territory.id, territory.parent_id) if t],
        subject=fields.get("indicator_code") or "trained",
        indicator_code=fields.pop("indicator_code", "trained"),
        text=text,
        **fields,
    )


async def add_recommendations(db, world) -> None:
    """To the authority and S2's leader (shown), a teacher (personal: never shown), M2 (another
    territory), and last year's to S1's leader with a decision taken on it at 60 %."""
    earlier = recommendation(
        world,
        "Обеспечить курсы КПК для педагогов",
        "organization_leader",
        world.s1.id,
        organization_id=world.s1.id,
        period="2020/2021",
    )
    personal = recommendation(
        world,
        "Личная рекомендация педагогу Ивановой",
        "teacher",
        world.t1.id,
        organization_id=world.s1.id,
    )
    db.add_all(
        [
            recommendation(world, "Организовать сетевые курсы КПК", "authority", world.m1.id),
            recommendation(
                world,
                "Составить план КПК школы",
                "organization_leader",
                world.s2.id,
                organization_id=world.s2.id,
            ),
            personal,
            recommendation(
                world, "Рекомендация району 2", "authority", world.m2.id, territory_id=world.m2.id
            ),
            earlier,
        ]
    )
    await db.flush()
    db.add_all(
        [
            Decision(
                recommendation_id=earlier.id,
                text="Направить педагогов школы 1 на КПК",
                decided_on=date(2021, 6, 1),
                responsible="Начальник управления образования",
                indicator_code="trained",
                scope_type="organization",
                scope_id=world.s1.id,
                period_before="2020/2021",
                value_before=60.0,
            ),
            Decision(
                recommendation_id=personal.id,
                text="Личное решение о педагоге",
                decided_on=date(2021, 10, 1),
                responsible="Директор",
                period_before=PERIOD,
            ),
        ]
    )
    await db.flush()


# After an indicator's name in the roadmap report: how its group figures are obtained.
BASIS_NOTE = re.compile(r" \(кластеры и территории: [^()]*\)$")


def indicator_name(header: str) -> str:
    """The indicator's name in its header cell, without how its group figures are obtained."""
    return BASIS_NOTE.sub("", header)


def header_at(rows: list[list[str]], name: str) -> int:
    """Where the header row of the indicator `name` is among `rows`."""
    return next(i for i, r in enumerate(rows) if len(r) == 1 and indicator_name(r[0]) == name)


def rows_of(table: list[list[str]], name: str) -> dict[str, list[str]]:
    """The rows beneath the indicator `name` in the roadmap report's indicator table (an
    indicator is named once, in a row of its own, its rows under it), by scope name:
    [scope type, scope name, value, target, status, change, n]."""
    found: dict[str, list[str]] = {}
    current = None
    for row in table[1:]:
        if len(row) == 1:
            current = indicator_name(row[0])
        elif current == name:
            found[row[1]] = row
    return found
