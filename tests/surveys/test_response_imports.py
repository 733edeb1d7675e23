"""Responses imported from Yandex Forms and Google Forms exports: mapping, dry run, each row
checked as a web submission, nothing stored twice, the export's timestamps never kept."""

import csv
import io
import json
from pathlib import Path

from sqlalchemy import func, select, text

from services.surveys.responses.models import ImportedRow, Response
from tests.surveys.forms import BANK, EMPTY, launch, launch_optional

CASES = Path(__file__).parent / "cases" / "imports"
# Six parents of S1 in a Yandex Forms export of the НОК questionnaire (ID, "Время создания",
# then one column per question text, comma-separated, UTF-8 with a BOM):
#   lines 2 and 3: the same answers (two parents alike: two responses), line 4: "Нет" to the
#   stand question (its follow-up left empty), line 7: a parent with a disability group;
#   line 5: "Не знаю" to a yes/no question (no such answer: refused, column 7),
#   line 6: the courtesy question (column 10) left empty (required: refused).
YANDEX = CASES / "yandex_forms_nok.csv"
CONTENT = {}  # each case file read once, outside the event loop (below)
# Five parents of S1 in a Google Forms export of the satisfaction questionnaire (.xlsx,
# "Отметка времени" first, scales as numbers, the teaching question by its labels):
#   lines 2, 3, 6: complete (3 and 6 alike); line 4: grade "1-4 кл.", no option's label;
#   line 5: 7 on a 1–5 scale in column J (ps_food_1).
GOOGLE = CASES / "google_forms_satisfaction.xlsx"
CONTENT.update({path: path.read_bytes() for path in (YANDEX, GOOGLE)})


async def post_import(client, world, campaign_id, org, path: Path, *, who="leader", **params):
    mapping = params.pop("mapping", None)
    query = {"dry_run": str(params.pop("dry_run", True)).lower()}
    answer = await client.post(
        f"/v1/campaigns/{campaign_id}/organizations/{org}/responses/import",
        params=query,
        files={"file": (path.name, CONTENT[path], "application/octet-stream")},
        data={"mapping": json.dumps(mapping, ensure_ascii=False)} if mapping else {},
        headers=world.headers(who),
    )
    return answer


async def stored(db, campaign_id) -> list[Response]:
    query = select(Response).where(Response.campaign_id == campaign_id)
    return list((await db.scalars(query.execution_options(populate_existing=True))).all())


async def test_yandex_forms_csv_dry_run_stores_nothing_then_the_import_stores_valid_rows(
    surveys_client, world, parents, db, settings
):
    campaign_id, s1 = parents["id"], world.s1.id
    dry = await post_import(surveys_client, world, campaign_id, s1, YANDEX)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    # 6 rows: 4 taken (lines 2, 3, 4, 7), 2 refused (lines 5, 6)
    assert body["dry_run"] is True and body["imported"] == 4 and body["unchanged"] == 0
    assert [r["row"] for r in body["rows"]] == [2, 3, 4, 7]
    assert [r["index"] for r in body["rejected"]] == [5, 6]
    refused = {r["index"]: r["errors"][0]["msg"] for r in body["rejected"]}
    assert (
        "«Не знаю»" in refused[5]
        and "строка 5, столбец 7 «Удовлетворены ли Вы комфорт" in (refused[5])
    )
    assert refused[6].startswith("нужен ответ (строка 6, столбец 10 «Удовлетворены ли Вы добро")
    # what would be stored: answers as the API takes them; the hidden follow-up is no answer
    line4 = next(r for r in body["rows"] if r["row"] == 4)["answers"]
    assert line4["nok_01"] is False and "nok_02" not in line4 and line4["nok_03"] is True
    # the proposal: every question's column by its text, the export's own columns left out;
    # each column's title as the file writes it, never lower-cased
    assert body["mapping"]["columns"]["Время создания"] is None
    assert body["mapping"]["columns"]["ID"] is None
    titles = list(body["mapping"]["columns"])
    assert titles[2].startswith("При посещении организации обращались ли Вы"), titles
    mapped = {v for v in body["mapping"]["columns"].values() if v}
    assert mapped == {f"nok_{i:02d}" for i in range(1, 16)}
    assert body["mapping"]["answers"]["nok_01"] == {"Да": "yes", "Нет": "no"}
    said = [w["msg"] for w in body["warnings"] if "«Время создания»" in w["msg"]]
    assert len(said) == 1 and "анонимная" in said[0]
    assert await stored(db, campaign_id) == []  # a dry run stores nothing

    real = await post_import(surveys_client, world, campaign_id, s1, YANDEX, dry_run=False)
    assert real.status_code == 200, real.text
    assert real.json()["imported"] == 4 and len(real.json()["rejected"]) == 2
    responses = await stored(db, campaign_id)
    assert len(responses) == 4
    assert {(r.channel, r.staff_id, r.organization_id) for r in responses} == {("import", None, s1)}
    # no time finer than a day: the export's 2026-11-20…22 times are nowhere; the day is today's
    assert {r.submitted_on for r in responses} == {settings.today()}
    dump = (
        await db.execute(text("SELECT string_agg(a::text, ' ') FROM surveys.answer a"))
    ).scalar()
    assert "2026-11-2" not in dump and "4812001" not in dump
    rates = await surveys_client.get(
        f"/v1/campaigns/{campaign_id}/rates", headers=world.headers("leader")
    )
    assert rates.json()["total"] == 1
    assert rates.json()["items"][0]["channels"] == {"web": 0, "paper": 0, "import": 4}


async def test_importing_the_same_file_again_adds_nothing(surveys_client, world, parents, db):
    campaign_id, s1 = parents["id"], world.s1.id
    first = await post_import(surveys_client, world, campaign_id, s1, YANDEX, dry_run=False)
    assert first.json()["imported"] == 4
    again = await post_import(surveys_client, world, campaign_id, s1, YANDEX, dry_run=False)
    assert again.status_code == 200, again.text
    # the 4 rows are known by their digests: none stored, 4 unchanged, the 2 refused again
    assert (again.json()["imported"], again.json()["unchanged"]) == (0, 4)
    assert {r["status"] for r in again.json()["rows"]} == {"already_imported"}
    assert len(await stored(db, campaign_id)) == 4
    count = select(func.count()).select_from(ImportedRow)
    assert await db.scalar(count.where(ImportedRow.campaign_id == campaign_id)) == 4


async def test_google_forms_xlsx_with_a_corrected_mapping(surveys_client, world, db):
    campaign = await launch(
        surveys_client, world, "parents_satisfaction", "parents", [world.s1.id], who="leader"
    )
    campaign_id, s1 = campaign["id"], world.s1.id
    dry = await post_import(surveys_client, world, campaign_id, s1, GOOGLE)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    # 5 rows: lines 2, 3, 6 taken; line 4 (a grade no option reads) and line 5 (7 of 5) refused
    assert body["imported"] == 3 and [r["index"] for r in body["rejected"]] == [4, 5]
    refused = {r["index"]: r["errors"][0]["msg"] for r in body["rejected"]}
    assert "«1-4 кл.»" in refused[4] and "строка 4, столбец B" in refused[4]
    assert (
        "«7»" in refused[5]
        and "строка 5, столбец J «Насколько Вы удовлетворены качеством и" in (refused[5])
    )
    assert body["mapping"]["answers"]["ps_grade_band"] == {
        "1–4 класс": "primary",
        "5–9 класс": "basic",
        "10–11 класс": "secondary",
    }
    # scale labels as the form shows them, and numbers, read as points 1–5
    assert body["mapping"]["answers"]["ps_teaching_1"]["Скорее удовлетворён(а)"] == "4"
    line2 = next(r for r in body["rows"] if r["row"] == 2)["answers"]
    assert line2["ps_teaching_1"] == 5 and line2["ps_food_1"] == 5
    assert line2["ps_suggestions"] == "Больше кружков" and "отметка времени" not in line2
    assert await stored(db, campaign_id) == []

    # The leader maps the grade the form wrote differently: line 4 is taken too (4 of 5).
    mapping = {"answers": {"ps_grade_band": {"1-4 кл.": "primary"}}}
    real = await post_import(
        surveys_client, world, campaign_id, s1, GOOGLE, mapping=mapping, dry_run=False
    )
    assert real.status_code == 200, real.text
    assert real.json()["imported"] == 4 and [r["index"] for r in real.json()["rejected"]] == [5]
    assert len(await stored(db, campaign_id)) == 4
    again = await post_import(
        surveys_client, world, campaign_id, s1, GOOGLE, mapping=mapping, dry_run=False
    )
    assert (again.json()["imported"], again.json()["unchanged"]) == (0, 4)
    # aggregates as for web answers: 4 respondents; ps_food_1 answered 5, 4, 3, 4 → mean 4.0
    rows = await db.execute(
        text(
            "SELECT count(*), avg(number) FROM surveys.answer "
            "WHERE campaign_id = :c AND question = 'ps_food_1'"
        ),
        {"c": campaign_id},
    )
    assert tuple(rows.one()) == (4, 4.0)


async def test_a_column_mapped_to_an_unknown_question_is_422(surveys_client, world, parents):
    mapping = {"columns": {"Отметка времени": "nok_99"}}
    answer = await post_import(
        surveys_client, world, parents["id"], world.s1.id, YANDEX, mapping=mapping
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "mapping", "columns", "Отметка времени"]


async def test_a_mapping_that_is_no_json_is_said_in_russian_where_it_breaks(
    surveys_client, world, parents
):
    answer = await surveys_client.post(
        f"/v1/campaigns/{parents['id']}/organizations/{world.s1.id}/responses/import",
        files={"file": (YANDEX.name, CONTENT[YANDEX], "application/octet-stream")},
        data={"mapping": '{"columns": {"Класс ребёнка": x}}'},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["loc"] == ["form", "mapping"]
    # x is the 31st character (pydantic says byte 43: each Cyrillic letter takes two).
    assert error["msg"] == (
        "Сопоставление не читается: JSON записан с ошибкой: ожидается значение "
        "(строка 1, столбец 31)"
    )


async def test_who_may_import(surveys_client, world, parents):
    # the leader of S3 sees the campaign (S3 is in it) but not S1: 404 as for a stranger
    other = await post_import(
        surveys_client, world, parents["id"], world.s1.id, YANDEX, who="leader3"
    )
    assert other.status_code == 404
    # a teacher of S1 reads the campaign but does not manage it
    teacher = await post_import(
        surveys_client, world, parents["id"], world.s1.id, YANDEX, who="teacher"
    )
    assert teacher.status_code == 403
    diagnostic = world.campaigns["diagnostic_s1"]
    personal = await post_import(surveys_client, world, diagnostic.id, world.s1.id, YANDEX)
    assert personal.status_code == 422  # identified campaigns take personal answers only


async def test_an_answer_to_a_question_the_row_hides_is_dropped_and_said(
    surveys_client, world, parents
):
    # Yandex Forms without branching: a parent answered the stand's follow-up (nok_02) after
    # "Нет" to the stand question (nok_01). The web form drops such an answer; so does this.
    questions = list(BANK["nok_parents_2018"].questions())
    answers = {q.code: "Да" for q in questions} | {"nok_01": "Нет", "nok_06": "Нет"}
    answers |= {"nok_07": "", "nok_15": ""}
    out = io.StringIO()
    table = csv.writer(out, delimiter=";")
    table.writerow(["Отметка времени"] + [q.text for q in questions])
    table.writerow(["20.11.2026 19:02:11"] + [answers[q.code] for q in questions])
    content = out.getvalue().encode()
    answer = await surveys_client.post(
        f"/v1/campaigns/{parents['id']}/organizations/{world.s1.id}/responses/import",
        files={"file": ("form.csv", content, "text/csv")},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["imported"] == 1 and body["rejected"] == []
    taken = body["rows"][0]["answers"]
    assert taken["nok_01"] is False and "nok_02" not in taken
    dropped = [w for w in body["warnings"] if w["index"] == 2]
    assert [w["loc"] for w in dropped] == [["nok_02"]]


async def test_a_row_with_no_answer_is_refused(surveys_client, world, db):
    """Every question optional: an export's row left blank (a form opened and sent empty)
    would count as a respondent and lift the disclosure minimum; it is refused, said at its
    line, and the other rows are imported."""
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    export = (
        "ID,Время создания,Нравится ли ребёнку в школе?,Что обсудить на собрании?,Пожелания\n"
        "1,2026-01-01 10:00,4,Питание,\n"
        "2,2026-01-01 10:05,,,\n"
        "3,2026-01-01 10:07,,,   \n"
    ).encode()
    answer = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/organizations/{world.s1.id}/responses/import",
        params={"dry_run": "false"},
        files={"file": ("export.csv", export, "text/csv")},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["imported"] == 1, body
    assert [r["index"] for r in body["rejected"]] == [3, 4]
    for rejected in body["rejected"]:
        assert rejected["errors"][0]["msg"].startswith(EMPTY), rejected
    assert len(await stored(db, campaign["id"])) == 1
