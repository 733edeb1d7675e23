"""The surveys service's codes a definition names, checked when it is written.

A survey indicator (`survey_positive_share`, `survey_mean`, `deficit_share`) names an
instrument (`params.instrument_code`) and possibly some of its questions (`question_codes`) or
competences (`competences`). One the surveys service does not know is kept, not refused: the
instrument may be created later, and until then the reports say why the value is missing.
The author is told in the write's `warnings`, so that a typo does not go unnoticed.

The surveys service is asked once per write, for the one instrument (`GET
/v1/instruments/codes`). When it cannot be reached or refuses, the write goes ahead without
these warnings, and that is logged.
"""

import logging
from typing import Any

from services.api.clients.surveys import SurveysClient
from shared.errors import Forbidden, NotFound, PeerRefused, PeerUnavailable
from shared.indicator_methods import SURVEY_METHODS

logger = logging.getLogger("soko.api.indicators")

# The params listing codes of an instrument's parts, and how a warning names the part.
_PARTS = {"question_codes": "вопрос", "competences": "компетенция"}


def _part_warnings(field: str, missing: list[str], instrument: str) -> list[str]:
    what = _PARTS[field]
    not_found = "не найдена" if field == "competences" else "не найден"
    return [
        f"params.{field}: {what} «{code}» {not_found} в инструменте «{instrument}» сервиса "
        "опросов; показатель сохранён, но его значение не посчитается, пока код не исправлен"
        for code in missing
    ]


async def code_warnings(
    surveys: SurveysClient, code: str, method: str, params: dict[str, Any]
) -> list[str]:
    """Russian warnings, one per code of a survey definition (`method`, `params` as stored)
    the surveys service does not know, each naming its field: `params.instrument_code` (the
    instrument, then its parts are not checked), `params.question_codes` or
    `params.competences` (a part of a known instrument: of any of its versions). [] for other
    methods, when every code is known, and when the surveys service cannot be asked
    (unavailable, refusing, or answering out of contract: logged as a warning, never raised).
    `code`: the indicator's, for the log."""
    if method not in SURVEY_METHODS or not params.get("instrument_code"):
        return []
    instrument = params["instrument_code"]
    try:
        found = await surveys.instrument_codes([instrument])
    except (PeerUnavailable, PeerRefused, Forbidden, NotFound) as exc:
        logger.warning(
            "indicator %s written without checking its instrument codes: the surveys service "
            "did not answer (%s)",
            code,
            exc.detail,
            extra={"indicator_code": code, "peer": "surveys"},
        )
        return []
    known = next((i for i in found if i.code == instrument), None)
    if known is None:
        return [
            f"params.instrument_code: инструмент «{instrument}» не найден в сервисе опросов; "
            "показатель сохранён, но его значение не посчитается, пока инструмента с таким "
            "кодом нет"
        ]
    warnings = []
    for field, codes in (
        ("question_codes", known.question_codes),
        ("competences", known.competences),
    ):
        missing = [c for c in params.get(field) or [] if c not in set(codes)]
        warnings += _part_warnings(field, missing, instrument)
    return warnings
