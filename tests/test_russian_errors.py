"""Every message our code writes into a problem's `errors` is Russian: a dict literal with a
`"msg"` (or a `field_error`/`Invalid.at` message) holding no Cyrillic letter would reach a user
in English («required», «not in this campaign»), as it once did."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
CALLS = {"at", "field_error", "RowError", "rejection"}


def _english(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(node.value.strip())
        and not CYRILLIC.search(node.value)
    )


def _messages(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "msg" and _english(value):
                    yield node.lineno, value.value
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in CALLS:
                texts = [k.value for k in node.keywords if k.arg in ("msg", "message")]
                if name in ("at", "field_error") and len(node.args) >= 2:
                    texts.append(node.args[1])
                for text in texts:
                    if _english(text):
                        yield node.lineno, text.value


def test_no_english_message_reaches_a_problem():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for folder in ("services", "shared")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, text in _messages(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


async def test_a_body_of_many_errors_lists_a_hundred_and_counts_the_rest(api_client, world):
    """A change of an organization naming 5,000 unknown fields: 100 errors listed and one item
    counting the others, not an answer of megabytes."""
    from shared.error_handlers import MAX_ERRORS

    body = {f"unknown_{n}": n for n in range(5000)}
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", json=body, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text[:300]
    errors = answer.json()["errors"]
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1]["msg"].startswith("и ещё 4900 ошибок")
