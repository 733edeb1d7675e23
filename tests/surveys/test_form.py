"""The respondents' form at /s/{code}: pages, posts, drafts, the profile, and a real browser."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.surveys.app import create_app as create_surveys
from services.surveys.campaigns.models import CampaignOrganization, Invitation
from services.surveys.instruments.question_types import LIKERT5_LABELS
from services.surveys.responses.models import Answer, CompetenceScore, Response
from tests.factories import committed_world
from tests.surveys.forms import (
    BANK,
    DIAGNOSTIC,
    EMPTY,
    NOW,
    SCREENSHOT,
    Dom,
    csrf_of,
    diagnostic_answers,
    in_a_browser,
    launch,
    launch_optional,
    link_of,
    nok_fields,
    phone,
    post_pairs,
    responses,
    served,
    sign_in,
)
from tests.surveys.limits import use_up


@pytest.mark.parametrize("code", ["parents_satisfaction", "nok_parents_2018"])
async def test_form_shows_every_question_with_its_label_and_control(
    surveys_client, form, world, code
):
    definition = BANK[code]
    campaign = await launch(surveys_client, world, code, "parents", [world.s1.id])
    page = await form.get(link_of(campaign))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<html lang="ru">' in page.text and 'name="viewport"' in page.text
    dom = Dom(page.text)
    assert "Анкета анонимная: мы не сохраняем ваше имя, адрес и устройство" in page.text
    assert all(not re.match(r"(https?:)?//", link) for link in dom.links)  # nothing external
    assert "/s/static/form.css" in dom.links
    assert "Сохранить и продолжить позже" not in page.text  # drafts need a personal link
    total = len(definition.sections)
    for number, section in enumerate(definition.sections, start=1):
        assert dom.text(f"s-{section.code}").startswith(f"Раздел {number} из {total}")
        assert section.title in dom.text(f"s-{section.code}")
    for question in definition.questions():
        asked = " ".join(question.text.split())
        controls = dom.named(question.code)
        match question.type:
            case "likert5" | "yes_no" | "single":
                labels = {
                    "likert5": LIKERT5_LABELS["satisfaction"],
                    "yes_no": ("Да", "Нет"),
                }.get(question.type) or [o.text for o in question.options]
                assert [c["type"] for c in controls] == ["radio"] * len(labels)
                assert dom.attrs[f"q-{question.code}"]["tag"] == "fieldset"
                assert asked in dom.text(f"q-{question.code}")  # the legend
                for control, label in zip(controls, labels, strict=True):
                    assert label in dom.label(str(control["id"]))
            case "text":
                [control] = controls
                assert control["tag"] == "textarea"
                assert asked in dom.label(f"f-{question.code}")
            case _:
                raise AssertionError(f"a type this test does not expect: {question.type}")
        if question.required:
            assert "(обязательный вопрос)" in dom.text(f"q-{question.code}")
        if question.hint:
            assert " ".join(question.hint.split()) in dom.text(f"q-{question.code}-hint")
    css = await form.get("/s/static/form.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_a_forged_post_with_two_answers_to_one_question_is_refused_naming_it(
    surveys_client, form, world, db
):
    """A radio group sends one value, a text area one text: a post with two (forged, or a
    broken page) is refused next to the question, in Russian, never kept as its first."""
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    fields = [(k, v) for k, v in nok_fields().items() if k not in ("nok_01", "nok_15")]
    forged = [("nok_01", "no"), ("nok_01", "yes"), ("nok_15", "Кружки"), ("nok_15", "Секции")]
    page = await post_pairs(form, link_of(campaign), [*fields, *forged])
    assert page.status_code == 422, page.text
    dom = Dom(page.text)
    text = BANK["nok_parents_2018"].question("nok_01").text
    said = dom.text("q-nok_01-error")
    assert said.startswith(f"Ошибка: На вопрос «{text}» прислано несколько ответов (2)"), said
    assert "ответ может быть только один: выберите один вариант" in said
    assert "прислано несколько ответов (2)" in dom.text("q-nok_15-error")
    assert "прислано несколько ответов" in dom.text("error-summary")
    assert await responses(db) == []
    done = await post_pairs(form, link_of(campaign), [*fields, *forged[1:3]])
    assert done.status_code == 303, done.text
    assert len(await responses(db)) == 1


async def test_missing_required_answer_comes_back_422_next_to_its_question(
    surveys_client, form, world, db
):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    fields = nok_fields()
    del fields["nok_12"]
    page = await form.post(link_of(campaign), data=fields)
    assert page.status_code == 422
    dom = Dom(page.text)
    assert dom.text("q-nok_12-error") == "Ошибка: Ответьте на этот вопрос"
    question = dom.attrs["q-nok_12"]
    assert "q-nok_12-error" in str(question["aria-describedby"]).split()
    assert all(c.get("aria-invalid") == "true" for c in dom.named("nok_12"))
    assert "#f-nok_12-0" in dom.links  # the summary at the top leads to the question
    # nok_07 does not apply (nok_06 is "no"), so nok_12 is the 11th question shown.
    assert "Вопрос 11: Ответьте на этот вопрос" in dom.text("error-summary")
    assert not any(c.get("aria-invalid") for c in dom.named("nok_13"))
    for code, value in nok_fields().items():  # every other answer is still there
        if code == "nok_15":
            assert dom.text("f-nok_15") == value
        elif code != "nok_12":
            assert dom.checked(code) == [value], code
    assert "отвечено 12 из 13" in " ".join(dom.text("progress").split())
    assert await responses(db) == []


async def test_valid_post_stores_the_response_and_thanks(surveys_client, form, world, db):
    campaign = await launch(surveys_client, world, "parents_satisfaction", "parents", [world.s1.id])
    definition = BANK["parents_satisfaction"]
    fields = {q.code: "4" for q in definition.questions() if q.type == "likert5"}
    fields |= {"ps_teaching_1": "5", "ps_grade_band": "basic", "ps_suggestions": " Больше книг "}
    posted = await form.post(link_of(campaign), data=fields | {"_action": "submit"})
    assert posted.status_code == 303
    assert posted.headers["location"] == f"{link_of(campaign)}/thanks"
    thanks = await form.get(posted.headers["location"])
    assert thanks.status_code == 200 and "Спасибо! Ваши ответы приняты" in thanks.text
    [response] = await responses(db)
    assert response.organization_id == world.s1.id and response.status == "submitted"
    assert response.staff_id is None and response.invitation_id is None
    stored = {
        a.question: a.number if a.number is not None else a.option or a.text
        for a in (await db.scalars(select(Answer))).all()
    }
    assert stored == {code: 4.0 for code in fields if code.startswith("ps_")} | {
        "ps_teaching_1": 5.0,
        "ps_grade_band": "basic",
        "ps_suggestions": "Больше книг",
    }


async def test_a_long_text_answer_with_line_breaks_the_page_let_through_is_stored(
    surveys_client, form, world, db
):
    """The textarea's maxlength counts a line break as one character, the browser sends it as
    "\\r\\n": 5000 characters typed on 500 lines are taken, stored as typed."""
    campaign = await launch(surveys_client, world, "parents_satisfaction", "parents", [world.s1.id])
    definition = BANK["parents_satisfaction"]
    fields = {q.code: "4" for q in definition.questions() if q.type == "likert5"}
    typed = "\n".join(["Больше книг"] * 416) + "\n" + "x" * 8  # 5000 characters as typed
    assert len(typed) == 5000
    fields |= {"ps_grade_band": "basic", "ps_suggestions": typed.replace("\n", "\r\n")}
    posted = await form.post(link_of(campaign), data=fields | {"_action": "submit"})
    assert posted.status_code == 303, posted.text
    stored = await db.scalar(select(Answer.text).where(Answer.question == "ps_suggestions"))
    assert stored == typed


async def test_answers_to_questions_that_do_not_apply_are_dropped(surveys_client, form, world, db):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    # Without JavaScript every question is shown: "Нет" to 6 and still an answer to 7.
    posted = await form.post(link_of(campaign), data=nok_fields(nok_07="yes"))
    assert posted.status_code == 303
    questions = set((await db.scalars(select(Answer.question))).all())
    assert "nok_06" in questions and "nok_07" not in questions


async def test_every_question_type_is_read_from_the_form_fields(surveys_client, form, world, db):
    instrument = {
        "code": "form_types_check",
        "kind": "satisfaction",
        "title": "Проверка типов вопросов",
        "description": "Все виды вопросов.",
        "audience": ["parents"],
        "sections": [
            {
                "code": "all",
                "title": "Все вопросы",
                "questions": [
                    {"code": "likert", "type": "likert5", "text": "Насколько?"},
                    {"code": "yes", "type": "yes_no", "text": "Да или нет?"},
                    {
                        "code": "clubs",
                        "type": "multiple",
                        "text": "Какие кружки?",
                        "options": [
                            {"code": "chess", "text": "Шахматы"},
                            {"code": "robots", "text": "Робототехника"},
                            {"code": "choir", "text": "Хор"},
                        ],
                    },
                    {"code": "hours", "type": "number", "text": "Сколько часов?", "max": 40},
                    {"code": "kids", "type": "number", "text": "Сколько детей?", "min": 1},
                    {"code": "note", "type": "text", "text": "Комментарий", "required": False},
                ],
            }
        ],
    }
    added = await surveys_client.post(
        "/v1/instruments", json=instrument, headers=world.headers("analyst")
    )
    assert added.status_code == 201, added.text
    campaign = await launch(surveys_client, world, "form_types_check", "parents", [world.s1.id])
    dom = Dom((await form.get(link_of(campaign))).text)
    assert [c["type"] for c in dom.named("clubs")] == ["checkbox"] * 3
    [hours] = dom.named("hours")
    assert (hours["type"], hours["inputmode"], hours["max"]) == ("text", "decimal", "40")
    assert "Сколько часов?" in dom.label("f-hours") and "до 40" in dom.text("q-hours-range")
    fields = [("likert", "2"), ("yes", "no"), ("clubs", "chess"), ("clubs", "choir")]
    wrong = await post_pairs(form, link_of(campaign), [*fields, ("hours", "много"), ("kids", "2")])
    assert wrong.status_code == 422
    dom = Dom(wrong.text)
    assert dom.text("q-hours-error") == "Ошибка: Ожидается число"
    assert dom.checked("clubs") == ["chess", "choir"] and dom.checked("yes") == ["no"]
    done = await post_pairs(form, link_of(campaign), [*fields, ("hours", "2,5"), ("kids", "3")])
    assert done.status_code == 303, done.text
    stored = sorted(
        (a.question, a.option, a.options, a.number)
        for a in (await db.scalars(select(Answer))).all()
    )
    assert stored == [  # one row per question: a `multiple`'s options in one array
        ("clubs", None, ["chess", "choir"], None),
        ("hours", None, None, 2.5),
        ("kids", None, None, 3.0),
        ("likert", None, None, 2.0),
        ("yes", None, None, 0.0),
    ]


async def test_personal_link_saves_a_draft_submits_once_and_shows_the_profile(
    surveys_client, form, world, db
):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    code = await db.scalar(
        select(Invitation.code).where(
            Invitation.campaign_id == campaign["id"], Invitation.staff_id == world.t1.id
        )
    )
    url = f"/s/{code}"
    signed_in = await sign_in(form, url, "teacher@soko.example")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == url
    first = await form.get(url)
    assert first.status_code == 200 and "Сохранить и продолжить позже" in first.text
    assert "Анкета анонимная" not in first.text
    assert "Вы вошли как" in first.text
    csrf = csrf_of(first)
    answers = diagnostic_answers(
        {"design": 5, "tools": 3, "processing": 2, "interpretation": 0, "security": 4}
    )
    partial = dict(list(answers.items())[:3])
    saved = await form.post(url, data=partial | {"_action": "draft", "_csrf": csrf})
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?saved=1#draft-saved"
    [draft] = await responses(db)
    assert draft.status == "draft" and draft.staff_id == world.t1.id
    resumed = await form.get(saved.headers["location"])
    dom = Dom(resumed.text)
    assert "Черновик сохранён" in resumed.text
    assert all(dom.checked(item) == [option] for item, option in partial.items())
    incomplete = await form.post(url, data=partial | {"_csrf": csrf})
    assert incomplete.status_code == 422 and "Ответы не отправлены" in incomplete.text
    done = await form.post(url, data=answers | {"_action": "submit", "_csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"{url}/thanks", done.text
    # The thank-you page, and the link itself once sent (Back after sending): the profile.
    for page in (await form.get(f"{url}/thanks"), await form.get(url)):
        dom = Dom(page.text)
        assert dom.text("profile-title") == "Ваш профиль компетенций"
        for competence, score, deficit in [
            ("design", 5, False),
            ("tools", 3, False),
            ("processing", 2, True),
            ("interpretation", 0, True),
            ("security", 4, False),
        ]:
            shown = dom.text(f"c-{competence}")
            title = DIAGNOSTIC.competence(competence).title
            assert shown.startswith(f"{title} {score} из 5 ({score * 20} %)"), shown
            assert ("дефицит" in shown) is deficit
            assert ("is-deficit" in str(dom.attrs[f"c-{competence}"]["class"])) is deficit
    scores = await db.scalar(select(func.count()).select_from(CompetenceScore))
    assert scores == len(DIAGNOSTIC.competences)
    again = await form.post(url, data=answers | {"_csrf": csrf})
    assert again.status_code == 409 and "Ответ уже отправлен" in again.text
    sent = await form.get(url)  # no form any more: the thank-you page with the profile
    assert sent.status_code == 200 and "Спасибо! Ваши ответы приняты" in sent.text
    assert "Отправить ответы" not in sent.text
    [response] = await responses(db)
    assert response.status == "submitted" and response.id == draft.id


async def test_unknown_code_is_a_404_page(surveys_client, form, world, db):
    # An identified campaign's organization code is never published: it opens nothing either.
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    unpublished = await db.scalar(
        select(CampaignOrganization.code).where(CampaignOrganization.campaign_id == campaign["id"])
    )
    for answer in (
        await form.get("/s/no-such-code"),
        await form.get("/s/%D0%BA%D0%BE%D0%B4"),
        await form.post("/s/no-such-code", data={"nok_01": "yes"}),
        await form.get(f"/s/{unpublished}"),
    ):
        assert answer.status_code == 404 and "Анкета не найдена" in answer.text
        assert answer.headers["content-type"].startswith("text/html")


async def test_closed_and_scheduled_campaigns_are_409_pages_with_the_dates(
    surveys_client, form, world
):
    later = await launch(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        opens_at=datetime(2030, 9, 1, 6, tzinfo=UTC).isoformat(),
        closes_at=datetime(2030, 9, 15, 18, tzinfo=UTC).isoformat(),
    )
    page = await form.get(link_of(later))
    assert page.status_code == 409 and "Анкета ещё не открыта" in page.text
    assert "01.09.2030 09:00 МСК" in page.text and "15.09.2030 21:00 МСК" in page.text
    assert "Ответы принимаются с" in page.text
    current = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    closed = await surveys_client.patch(
        f"/v1/campaigns/{current['id']}",
        json={"closes_at": NOW.isoformat()},
        headers=world.headers("analyst"),
    )
    assert closed.json()["status"] == "closed"
    for answer in (
        await form.get(link_of(current)),
        await form.post(link_of(current), data=nok_fields()),
    ):
        assert answer.status_code == 409 and "Анкета закрыта" in answer.text
        assert "Ответы принимались с" in answer.text  # the window is over


async def test_anonymous_form_posts_count_against_the_address_limit(
    surveys_client, form, world, apps, address
):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    page = await form.get(link_of(campaign))  # reading the form is not limited
    await use_up(apps.surveys.state.anonymous_limit, address)  # this address's minute is used up
    answer = await form.post(link_of(campaign), data=nok_fields())
    assert page.status_code == 200 and answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0 and "Слишком много ответов" in answer.text


async def choose(page, question: str, label: str) -> None:
    """Click the label of an answer, as a thumb does."""
    await page.locator(f"#q-{question} label.choice").filter(has_text=label).click()


@in_a_browser
async def test_parent_fills_the_nok_form_in_a_phone_browser(
    apps, isolation, settings, surveys_client, playwright
):
    world = await committed_world(isolation, settings)
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    # Its own app (uvicorn runs it on another event loop) and its own limit of anonymous posts,
    # which the other tests' in-process posts from 127.0.0.1 must not use up.
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    chosen = {
        "nok_01": "Да",
        "nok_02": "Да",
        "nok_03": "Нет",
        "nok_05": "Да",
        "nok_06": "Нет",
        "nok_08": "Да",
        "nok_09": "Нет",
        "nok_10": "Нет",
        "nok_13": "Да",
        "nok_14": "Да",
    }
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        await playwright.expect(page.locator("h1")).to_have_text(campaign["title"])
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        tap_target = await page.locator("label[for=f-nok_01-0]").bounding_box()
        assert tap_target is not None and tap_target["height"] >= 44
        for question, label in chosen.items():
            await choose(page, question, label)
        await playwright.expect(page.locator("#q-nok_07")).to_be_hidden()  # 6 is "Нет"
        await playwright.expect(page.locator("#q-nok_04")).to_be_hidden()  # 3 is "Нет"
        await page.get_by_label("Ваши предложения").fill("Больше кружков")
        # Question 12 is left unanswered.
        await page.get_by_role("button", name="Отправить ответы").click()
        error = page.locator("#q-nok_12-error")
        await playwright.expect(error).to_have_text("Ошибка: Ответьте на этот вопрос")
        await playwright.expect(page.locator("#error-summary")).to_be_focused()
        for question, label in chosen.items():
            option = page.locator(f"#q-{question} label.choice").filter(has_text=label)
            await playwright.expect(option.locator("input")).to_be_checked()
        await playwright.expect(page.locator("#f-nok_15")).to_have_value("Больше кружков")
        await playwright.expect(page.locator("#q-nok_07")).to_be_hidden()
        await page.screenshot(path=SCREENSHOT, full_page=True)
        # From the summary to the question, then answer with the keyboard.
        # nok_04, nok_07 and nok_11 do not apply: nok_12 is the 9th question shown.
        await playwright.expect(page.locator("#q-nok_12 .question-number")).to_have_text("9.")
        await page.get_by_role("link", name=re.compile("Вопрос 9")).click()
        await playwright.expect(page.locator("#f-nok_12-0")).to_be_focused()
        await page.keyboard.press("Space")
        await playwright.expect(page.locator("#f-nok_12-0")).to_be_checked()
        await page.get_by_role("button", name="Отправить ответы").click()
        await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
        assert page.url.endswith("/thanks")
        await page.screenshot(path=SCREENSHOT.with_name("soko-form-thanks.png"))
        assert problems == []
    async with isolation() as session:
        [response] = (await session.scalars(select(Response))).all()
        stored = {
            a.question: a.number if a.number is not None else a.text
            for a in (await session.scalars(select(Answer))).all()
        }
    assert response.organization_id == world.s1.id and response.staff_id is None
    words = {"Да": 1.0, "Нет": 0.0}
    expected = {q: words[label] for q, label in chosen.items()}
    assert stored == expected | {"nok_12": 1.0, "nok_15": "Больше кружков"}


async def test_an_empty_form_comes_back_422_saying_so(surveys_client, form, world, db):
    """Every question optional, none answered: the form says the questionnaire is empty
    (it would count as a respondent), stores nothing."""
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    page = await form.post(link_of(campaign), data={"note": "   "})
    assert page.status_code == 422, page.text
    assert EMPTY in " ".join(Dom(page.text).text("error-summary").split())
    assert await responses(db) == []
    sent = await form.post(link_of(campaign), data={"mood": "4"})
    assert sent.status_code == 303, sent.text
