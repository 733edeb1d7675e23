"""Objectivity signs as a report says them: the sign in Russian and its evidence in a short
readable form («пик на границе отметки «4» (15 баллов): 9 участников против 1 и 2 рядом»).

The evidence shapes are analysis/objectivity.py's; a key a sign does not carry (an older or a
newer shape) is left out of the text rather than guessed, and an unknown sign is named by its
code with its evidence as `key: value` pairs.
"""

from typing import Any

from services.reports.analysis.labels import LEVEL_NAMES, PROCEDURE_NAMES, SIGN_NAMES
from services.reports.documents import labels

N = labels.NBSP


def _percent(value: Any) -> str:
    return f"{labels.number(float(value), 1, fixed=True)}{N}%"


def _points(value: Any) -> str:
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{labels.number(float(value), 1, fixed=True)}{N}п.п."


def _count(n: int, one: str, few: str, many: str) -> str:
    """1 участник, 2 участника, 5 участников."""
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {one}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {few}"
    return f"{n} {many}"


def _boundary_spike(e: dict[str, Any]) -> str:
    score = _count(int(e["score"]), "балл", "балла", "баллов")
    at = _count(int(e["count_at"]), "участник", "участника", "участников")
    return (
        f"{SIGN_NAMES['boundary_spike']} «{e['mark']}» ({score}): {at} против "
        f"{e['count_below']} и {e['count_above']} рядом"
    )


def _inverted_profile(e: dict[str, Any]) -> str:
    levels = [
        f"{LEVEL_NAMES[k]} {_percent(e[k])}"
        for k in ("basic", "advanced", "high")
        if e.get(k) is not None
    ]
    parts = [f"выполнение заданий {', '.join(levels)}"] if levels else []
    if e.get("correlation") is not None:
        r = labels.number(float(e["correlation"]), 2, fixed=True)
        parts.append(f"корреляция с профилем территории {r}")
    return f"{SIGN_NAMES['inverted_profile']}: {'; '.join(parts)}"


def _not_confirmed(e: dict[str, Any]) -> str:
    exam = PROCEDURE_NAMES.get(str(e.get("exam")), str(e.get("exam") or "ГИА"))
    vpr = f"качество ВПР {_percent(e['vpr_quality'])}" if "vpr_quality" in e else "ВПР"
    if e.get("vpr_rank") is not None:
        vpr += f" ({_rank(e['vpr_rank'])})"
    where = " ".join(str(e[k]) for k in ("exam_subject", "exam_year") if e.get(k))
    text = f"{SIGN_NAMES['not_confirmed_by_gia']}: {vpr}, {exam}"
    if where:
        text += f" ({where})"
    if e.get("exam_quality") is not None:
        text += f" — качество {_percent(e['exam_quality'])}"
    if e.get("exam_rank") is not None:
        text += f" ({_rank(e['exam_rank'])})"
    return text


def _rank(rank: Any) -> str:
    """A percentile rank (`percent_rank` × 100: the share of the OTHER schools with a lower
    value, analysis/cohorts.py) in words: «выше, чем у 24 % остальных школ», the ends as
    «лучший результат среди школ территории» and «ниже, чем у всех остальных школ»."""
    share = float(rank)
    if share >= 100:
        return "лучший результат среди школ территории"
    if share <= 0:
        return "ниже, чем у всех остальных школ"
    return f"выше, чем у {labels.number(share, 0)}{N}% остальных школ"


def _journal_mismatch(e: dict[str, Any]) -> str:
    changed = f"{_percent(e['share'])} отметок" if "share" in e else "отметки"
    counts = f"понижено {e.get('lowered', 0)}, повышено {e.get('raised', 0)}"
    return f"{SIGN_NAMES['journal_mismatch']}: {changed} не совпали с журналом ({counts})"


def _sudden_rise(e: dict[str, Any]) -> str:
    text = (
        f"{SIGN_NAMES['sudden_rise']}: выполнение {_percent(e['previous_completion'])} → "
        f"{_percent(e['completion'])}"
    )
    if e.get("territory_rise") is not None:
        text += f" ({_points(e['rise'])} при {_points(e['territory_rise'])} по территории)"
    return text


FORMATS = {
    "boundary_spike": _boundary_spike,
    "inverted_profile": _inverted_profile,
    "not_confirmed_by_gia": _not_confirmed,
    "journal_mismatch": _journal_mismatch,
    "sudden_rise": _sudden_rise,
}


def sign_text(code: str, evidence: dict[str, Any] | None) -> str:
    """The sign `code` with its `evidence`, in Russian; the sign alone when its evidence does
    not have the shape this module knows."""
    label = SIGN_NAMES.get(code, code)
    if not evidence:
        return label
    try:
        return FORMATS[code](evidence)
    except (KeyError, TypeError, ValueError):
        pairs = ", ".join(f"{k}: {v}" for k, v in evidence.items() if not isinstance(v, dict))
        return f"{label} ({pairs})" if pairs else label
