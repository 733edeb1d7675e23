"""What the personal-link tests share: the accounts' emails, one set of answers, and checks of
what a page shows and what is stored."""

import httpx
from sqlalchemy import func, select

from services.surveys.responses.models import Response
from tests.factories import PASSWORD
from tests.surveys.forms import DIAGNOSTIC, diagnostic_answers

EMAILS = {
    "teacher": "teacher@soko.example",
    "teacher2": "t2@soko.example",
    "leader": "leader@soko.example",
    "analyst": "analyst@soko.example",
    "methodologist": "method@soko.example",
    "admin": "admin@soko.example",
}
ANSWERS = diagnostic_answers({"design": 5, "tools": 3, "processing": 2, "security": 4})


async def stored(db) -> int:
    return await db.scalar(select(func.count()).select_from(Response)) or 0


def shows_the_form(page: httpx.Response) -> bool:
    return any(item.code in page.text for item in DIAGNOSTIC.scored_items())


async def pages_token(api_client, who: str) -> str:
    """The token the api's sign-in page keeps in `soko_session` for `who`."""
    answer = await api_client.post(
        "/v1/auth/token", data={"username": EMAILS[who], "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]
