"""The editable resources whose changes take `If-Match` (shared/etag.py), for
tests/test_if_match.py: where each lives, who may change it and two different changes of one
field that its GET shows back."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.factories import World


@dataclass(frozen=True)
class Case:
    name: str
    service: str  # "api", "surveys" or "reports"
    path: Callable[[World], str]
    who: str  # a role of tests/factories.py that may change it
    field: str
    first: Any
    second: Any

    def body(self, value: Any) -> dict[str, Any]:
        return {self.field: value}


CASES = [
    Case(
        "roadmap",
        "api",
        lambda w: f"/v1/roadmaps/{w.r1.id}",
        "analyst",
        "title",
        "Дорожная карта МСОКО (первая правка)",
        "Дорожная карта МСОКО (вторая правка)",
    ),
    Case(
        "activity",
        "api",
        lambda w: f"/v1/activities/{w.a1.id}",
        "analyst",
        "status",
        "in_progress",
        "done",
    ),
]
