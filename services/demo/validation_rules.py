"""The demo's validation rules: one per share computed from two counts the schools post (a
`formula` of `unit: percent`, `part.value / whole.value * 100`), warning when the part is
larger than the whole. Without them a mistyped count (1 teacher for 36) made «2 800 %» that
the upload passed without a word; with them the upload's summary, the leader's «что
проверить» and the analyst's approval card name the school and the values to check.
"""

import re
from typing import Any

import httpx

_TERM = re.compile(r"^\s*([a-z][a-z0-9_]*)\.value\s*$")


def share_rules(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`POST /v1/validation-rules` bodies: `part <= whole` (warn) for each percent formula of
    one count over another, both posted as data values (global rules: the demo's
    administrator posts them)."""
    by_code = {i["code"]: i for i in indicators}
    rules = []
    for share in indicators:
        params = share.get("params") or {}
        if share.get("method") != "formula" or share.get("unit") != "percent":
            continue
        part = _TERM.match(params.get("numerator") or "")
        whole = _TERM.match(params.get("denominator") or "")
        if not (part and whole and params.get("scale") == 100):
            continue
        named = [by_code.get(m[1]) for m in (part, whole)]
        if not all(n and n.get("method") == "data_value" for n in named):
            continue
        rules.append(
            {
                "code": f"{share['code'][:70]}_le_100",
                "left": part[1],
                "operator": "<=",
                "right": whole[1],
                "importance": "high",
                "action": "warn",
                "message": (
                    f"«{named[0]['name']}» больше, чем «{named[1]['name']}»: "
                    f"«{share['name']}» выходит больше 100 %. Проверьте оба значения."
                ),
            }
        )
    return rules


async def load_rules(client: httpx.AsyncClient, indicators: list[dict[str, Any]]) -> int:
    """Post the demo's rules (`share_rules`); how many. RuntimeError when one is refused."""
    rules = share_rules(indicators)
    for rule in rules:
        answer = await client.post("/v1/validation-rules", json=rule)
        if answer.status_code != 201:
            raise RuntimeError(
                f"demo: POST /v1/validation-rules ({rule['code']}) answered "
                f"{answer.status_code}: {answer.text}"
            )
    return len(rules)
