"""What the form's tests share: a parser of its pages, campaigns, answers as form fields, and
signing in on a personal link's page as a browser does."""

import asyncio
import random
import socket
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
import uvicorn
from sqlalchemy import delete, select, text

from services.api.auth.service import user_principal
from services.api.staff.models import StaffMember
from services.surveys.app import create_app as create_surveys
from services.surveys.campaigns.models import Invitation
from services.surveys.instruments.definition import load_bank
from services.surveys.instruments.models import Instrument
from services.surveys.responses.models import Response
from shared.identity import issue_user_token
from tests.factories import PASSWORD, World, add_user
from tests.factories import committed_world as committed_world  # the browser tests' world

NOW = datetime.now(UTC)
BANK = {d.code: d for d in load_bank()}
DIAGNOSTIC = BANK["teacher_digital_assessment_deficits"]
CHROMIUM = Path("/usr/bin/chromium")
CASES = Path(__file__).parent / "cases"  # real-world XLSForms
# A fixed place, so that a person can look at how the form reads on a phone after a run.
SCREENSHOT = Path("/tmp/soko-form.png")  # noqa: S108
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Dom(HTMLParser):
    """What a test needs of a page: the controls, the text of each element with an id, labels."""

    VOID = frozenset({"input", "meta", "link", "br", "img", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.texts: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.links: list[str] = []
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs) | {"tag": tag}
        if found.get("id"):
            self.attrs[str(found["id"])] = found
        if tag in ("input", "textarea", "button"):
            self.controls.append(found)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]
        if tag not in self.VOID:
            self._open.append((tag, found))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for tag, attrs in self._open:
            if attrs.get("id"):
                key = str(attrs["id"])
                self.texts[key] = self.texts.get(key, "") + data
            if tag == "label" and attrs.get("for"):
                key = str(attrs["for"])
                self.labels[key] = self.labels.get(key, "") + data

    def text(self, id_: str) -> str:
        return " ".join(self.texts.get(id_, "").split())

    def label(self, id_: str) -> str:
        return " ".join(self.labels.get(id_, "").split())

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [c for c in self.controls if c.get("name") == name]

    def checked(self, name: str) -> list[str | None]:
        return [c["value"] for c in self.named(name) if "checked" in c]


async def instrument_id(client, world, code: str) -> str:
    """The id of the bank's instrument `code`."""
    listed = await client.get("/v1/instruments?limit=100", headers=world.headers("viewer"))
    return next(i["id"] for i in listed.json()["items"] if i["code"] == code)


async def post_campaign(
    client, world, code, audience, orgs, anonymous=True, who="analyst", **extra
) -> httpx.Response:
    """`POST /v1/campaigns` of the bank's instrument `code` in `orgs`, open from a day ago for
    a week (`extra` fields beside), as `who`; the answer as it is."""
    body = {
        "instrument_id": await instrument_id(client, world, code),
        "audience": audience,
        "organization_ids": [str(o) for o in orgs],
        "period": "2021/2022",
        "opens_at": (NOW - timedelta(days=1)).isoformat(),
        "closes_at": (NOW + timedelta(days=7)).isoformat(),
        "anonymous": anonymous,
    } | extra
    return await client.post("/v1/campaigns", json=body, headers=world.headers(who))


async def launch(
    client, world, code, audience, orgs, anonymous=True, who="analyst", **extra
) -> dict:
    """`post_campaign`, asserted to be created: the campaign."""
    answer = await post_campaign(client, world, code, audience, orgs, anonymous, who, **extra)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def diagnostic_of_t1(client, world, isolation) -> tuple[dict, str]:
    """An identified diagnostic launched in S1 (as the analyst), and T1's personal link code,
    read from what the app committed (`isolation`: the test's session factory)."""
    campaign = await launch(client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False)
    async with isolation() as session:
        code = await session.scalar(
            select(Invitation.code).where(
                Invitation.campaign_id == campaign["id"], Invitation.staff_id == world.t1.id
            )
        )
    return campaign, code


def link_of(campaign: dict) -> str:
    return urlsplit(campaign["links"][0]["url"]).path


def nok_answers(**overrides: object) -> dict[str, object]:
    """The NOK questionnaire's answers as the API takes them (as nok_fields, for the form)."""
    answers: dict[str, object] = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
    answers.pop("nok_07")
    return answers | overrides


def nok_fields(**overrides: str) -> dict[str, str]:
    """Every NOK question answered "Да" but the disability one ("Нет": its follow-up is skipped)."""
    fields = {f"nok_{i:02d}": "yes" for i in range(1, 15)} | {"nok_06": "no"}
    del fields["nok_07"]
    return fields | {"nok_15": "Больше кружков"} | overrides


def diagnostic_answers(correct: dict[str, int], definition=DIAGNOSTIC) -> dict[str, str]:
    """The first N items of each competence of `definition` (by default the bank's digital
    diagnostic) answered correctly, the rest wrongly: item code to option code, as the API and
    the form's fields take them. `correct` gives N by competence code (0 where absent)."""
    answers: dict[str, str] = {}
    seen: dict[str, int] = {}
    for item in definition.scored_items():
        n = seen.get(item.competence, 0)
        seen[item.competence] = n + 1
        right = n < correct.get(item.competence, 0)
        answers[item.code] = next(o.code for o in item.options if o.correct == right)
    return answers


def respondents(apps) -> httpx.AsyncClient:
    """Parents answering from an address of their own: the anonymous rate limit is per address
    and per process, so other tests' answers must not count against these."""
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=apps.surveys, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://surveys")


async def answer_as_parents(apps, campaign_id, answers: Iterable[tuple[Any, dict]]) -> None:
    """Post each `(organization id, answers)` to the anonymous campaign `campaign_id`, as
    `respondents`; each must be stored (201)."""
    async with respondents(apps) as parents:
        for org, given in answers:
            answer = await parents.post(
                f"/v1/campaigns/{campaign_id}/responses",
                json={"organization_id": str(org), "answers": given},
            )
            assert answer.status_code == 201, answer.text


async def responses(db) -> list[Response]:
    query = select(Response).execution_options(populate_existing=True)
    return list((await db.scalars(query)).all())


async def post_pairs(client: httpx.AsyncClient, url: str, pairs: list[tuple[str, str]]):
    """A form post with repeated fields (ticked checkboxes), as a browser sends it."""
    return await client.post(
        url,
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def add_colleague(db, settings, world: World, email: str = "t2@soko.example") -> None:
    """A second teacher of S1 with an account (`world.t2`, user and token "teacher2")."""
    t2 = StaffMember(organization_id=world.s1.id, full_name="Смирнова Ольга", position="teacher")
    db.add(t2)
    await db.flush()
    world.users["teacher2"] = add_user(db, email, "teacher", "organization", world.s1.id, t2.id)
    await db.flush()
    world.tokens["teacher2"] = issue_user_token(settings, user_principal(world.users["teacher2"]))
    world.t2 = t2  # type: ignore[attr-defined]


def csrf_of(page: httpx.Response) -> str:
    """The CSRF token of a personal link's page (its forms all carry the same)."""
    fields = Dom(page.text).named("_csrf")
    assert fields, "the page has no CSRF token"
    return str(fields[0]["value"])


async def sign_in(
    client: httpx.AsyncClient, url: str, email: str, password: str = PASSWORD
) -> httpx.Response:
    """Open a personal link, then sign in on the page it shows, as a browser does (the client
    keeps the cookies); the answer to the sign-in post."""
    page = await client.get(url)
    assert page.status_code == 200 and "Вход для заполнения анкеты" in page.text, page.text
    fields = {"username": email, "password": password, "_csrf": csrf_of(page)}
    return await client.post(f"{url}/sign-in", data=fields)


def in_a_browser(test):
    """Mark `test` as one that drives Debian's Chromium (with the `playwright` fixture): the
    apps commit for real (`committed`: a server in a thread reads what the test wrote), and
    the test is skipped where Chromium is not at CHROMIUM."""
    absent = pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}"
    )
    return pytest.mark.committed(absent(test))


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def served(app, port: int | None = None) -> AsyncIterator[str]:
    """The app behind a real HTTP server on a loopback port (`port`, else a free one), in a
    thread of its own."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="form-server", daemon=True)
    thread.start()
    for _ in range(500):
        if server.started or not thread.is_alive():
            break
        await asyncio.sleep(0.02)
    assert server.started, "the form server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)


@asynccontextmanager
async def screenshot_on_failure(page: Any, path: Path) -> AsyncIterator[None]:
    """Save the page's screenshot at `path` when the block fails, for a person to look at."""
    try:
        yield
    except BaseException:
        await page.screenshot(path=path, full_page=True)
        raise


@asynccontextmanager
async def phone(playwright: Any) -> AsyncIterator[tuple[Any, list[str]]]:
    """A page of Debian's Chromium on a 360-px phone, and the problems it meets on the way:
    script errors, Content Security Policy violations, styles or scripts not found."""
    async with playwright.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 360, "height": 740})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "console",
                lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.on(
                "response",
                lambda r: (
                    problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and r.request.resource_type != "document"
                    else None
                ),
            )
            yield page, problems
        finally:
            await browser.close()


async def launch_kobo(surveys_client, world) -> dict:
    """The Kobo parents' form (a choice filter, an "Другое" follow-up) imported to the bank,
    and a campaign of it launched in S1: the campaign as created."""
    imported = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("kobo.xlsx", (CASES / "xf1b_kobo_with_kind.xlsx").read_bytes())},
        headers=world.headers("analyst"),
    )
    assert imported.status_code == 201, imported.text
    return await launch(surveys_client, world, "hunt_kobo_parents", "parents", [world.s1.id])


@asynccontextmanager
async def opened(
    playwright: Any, settings: Any, campaign: dict
) -> AsyncIterator[tuple[Any, list[str]]]:
    """The campaign's form open on a `phone`, served by an app of its own (with a limit of
    anonymous posts of its own): the page and the problems it meets."""
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        yield page, problems


async def forget(isolation: Any, *codes: str) -> None:
    """The bank outlives a committed test's clean-up: drop these instruments, every campaign
    and response first."""
    async with isolation() as session:
        await session.execute(text("TRUNCATE surveys.campaign, surveys.response CASCADE"))
        await session.execute(delete(Instrument).where(Instrument.code.in_(codes)))
        await session.commit()


# A parents' questionnaire whose every question is optional (so that a submission may hold no
# answer at all), with a follow-up «Что именно?» required when "other" is chosen.
OPTIONAL = {
    "code": "all_optional",
    "kind": "satisfaction",
    "title": "Необязательные вопросы",
    "description": "Анкета для родителей",
    "audience": ["parents"],
    "sections": [
        {
            "code": "main",
            "title": "Вопросы",
            "questions": [
                {
                    "code": "mood",
                    "type": "likert5",
                    "text": "Нравится ли ребёнку в школе?",
                    "required": False,
                },
                {
                    "code": "topic",
                    "type": "single",
                    "text": "Что обсудить на собрании?",
                    "required": False,
                    "options": [
                        {"code": "food", "text": "Питание"},
                        {"code": "other", "text": "Другое"},
                    ],
                },
                {
                    "code": "topic_other",
                    "type": "text",
                    "text": "Что именно?",
                    "relevant": {"question": "topic", "equals": "other"},
                },
                {"code": "note", "type": "text", "text": "Пожелания", "required": False},
            ],
        }
    ],
}
EMPTY = "Анкета пуста: ответьте хотя бы на один вопрос"


async def launch_optional(client, world, orgs) -> dict:
    """The OPTIONAL questionnaire added to the bank and launched (anonymous) in `orgs`."""
    added = await client.post("/v1/instruments", json=OPTIONAL, headers=world.headers("analyst"))
    assert added.status_code == 201, added.text
    return await launch(client, world, OPTIONAL["code"], "parents", orgs)
