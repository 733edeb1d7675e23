"""A collection's step refused for what was typed in its form (a comment of spaces only where
one is required, one past `COMMENT_MAX`): not a page of its own but the home again
(Post/Redirect/Get, as the evidence form's `_again`), saying what is wrong beside the field of
the very form it came from, that form still there (its «Вернуть на доработку» or «Отозвать
утверждение» unfolded). The query names the form (`step_action`, `step_collection`,
`step_org`) and the problem (`step_problem`: a code of `PROBLEMS`, never text from the
address), so Back and reload show the home, never «Confirm form resubmission».

Should the form be gone from the home when it loads (someone else approved, returned or
withdrew the organization's data meanwhile), the home says so above its collections: the
step not taken, the comment not saved, the data's state now shown below. So it does for any
step the API refuses as no longer allowed (409: a page left open while the school withdrew
its submission, `moved`), naming the organization and the collection. The typed comment is
not shown again (here or beside a field still there): it never travels in the address, and
the home keeps no copy of it.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from services.api.collections.approvals import COMMENT_ASKED
from services.api.pages import home_state
from services.api.pages.render import NO_STORE

COMMENT_MAX = 5000  # as ApprovalStep.comment and the form's maxlength
# The problems with a typed comment: a required one blank (its words are the API's, by the
# step), one too long; and a step the data's state no longer allowed when it came (`moved`:
# someone else took a step since the page was shown).
PROBLEMS = ("blank", "long", "moved")
# The steps taking a comment, as their buttons name them.
COMMENTED = {
    "withdraw": "Отозвать представление",
    "return": "Вернуть на доработку",
    "unapprove": "Отозвать утверждение",
}
ACTION_NAMES = COMMENTED | {"submit": "Представить на утверждение", "approve": "Утвердить"}


@dataclass(frozen=True)
class StepProblem:
    """What is wrong with the comment typed in the form of `action` for one organization's
    data in one collection (`problem`: one of `PROBLEMS`)."""

    action: str
    collection_id: uuid.UUID
    organization_id: uuid.UUID
    problem: str

    @property
    def message(self) -> str:
        """The problem in Russian, as said beside the field."""
        if self.problem == "long":
            return f"Комментарий — не длиннее {COMMENT_MAX} знаков."
        if self.problem == "moved":
            return "Пока страница была открыта, данные перешли в другое состояние."
        return f"{COMMENT_ASKED.get(self.action, 'Напишите комментарий')}."

    @property
    def commented(self) -> bool:
        """Whether the step's form holds a comment (lost with the step)."""
        return self.action in COMMENTED

    @property
    def action_name(self) -> str:
        """The step as its button says it."""
        return ACTION_NAMES.get(self.action, self.action)

    @property
    def field_id(self) -> str:
        """The comment's field in the home (`step_form` of _collections.html)."""
        return f"{self.action}-{self.collection_id}-{self.organization_id}"

    def at(self, collection_id: uuid.UUID, organization_id: uuid.UUID, action: str) -> bool:
        """Is this the problem of that form?"""
        return (self.collection_id, self.organization_id, self.action) == (
            collection_id,
            organization_id,
            action,
        )


def typed(error: Exception) -> str | None:
    """The `PROBLEMS` code when a step's refusal (the API's `Invalid`, or the step's own
    `ValidationError`) is about the comment alone; None for any other (a page says it)."""
    if isinstance(error, ValidationError):
        places = [(tuple(e["loc"]), e["type"]) for e in error.errors()]
        if places and all(loc == ("comment",) for loc, _ in places):
            return "long" if any(kind == "string_too_long" for _, kind in places) else None
        return None
    errors: list[dict[str, Any]] = getattr(error, "errors", None) or []
    if errors and all(list(e.get("loc", []))[-1:] == ["comment"] for e in errors):
        return "blank"
    return None


def again(found: StepProblem, back: str = "") -> RedirectResponse:
    """The home again (303), where the visitor was on it (`back`, the form's field:
    home_state.py), at the form's comment, saying the problem beside it."""
    named = [
        ("step_action", found.action),
        ("step_collection", str(found.collection_id)),
        ("step_org", str(found.organization_id)),
        ("step_problem", found.problem),
    ]
    where = home_state.home(named, back, f"#{found.field_id}-field")
    return RedirectResponse(where, status_code=303, headers=NO_STORE)


def from_query(query: QueryParams) -> StepProblem | None:
    """The problem the home was sent back with (`again`); None for none or a query not ours."""
    action, problem = query.get("step_action", ""), query.get("step_problem", "")
    if problem not in PROBLEMS or action not in (ACTION_NAMES if problem == "moved" else COMMENTED):
        return None
    try:
        collection = uuid.UUID(query.get("step_collection", ""))
        organization = uuid.UUID(query.get("step_org", ""))
    except ValueError:
        return None
    return StepProblem(action, collection, organization, problem)
