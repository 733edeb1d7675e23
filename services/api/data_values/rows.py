"""One data value as posted or read from a file's row: its shape and types (`parse_row`), then
whether it fits its indicator (`check_value`), refused in Russian saying what the indicator's
kind accepts (`expected`: yes/no spellings, a percent's range, a whole number).

A value that is neither a number nor a yes/no is refused before its indicator is known
(`NOT_A_VALUE`); the import then says what that indicator accepts (`explain_refused_values`)."""

import functools
import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

from services.api.data_values.sheet import SheetItem
from services.api.indicators.models import Indicator
from shared import reinterpreted
from shared.bulk import Rejected, RowError
from shared.indicator_methods import ORGANIZATION_KINDS
from shared.labels import ORGANIZATION_KINDS_FOR
from shared.periods import WRITTEN_PERIOD_MAX
from shared.tabular import Cell, CellType
from shared.validation import MEASURE_MAX, MEASURE_MAX_TEXT

FIELDS = ("indicator_code", "organization_id", "period", "value")


@dataclass(frozen=True)
class DataValueRow:
    indicator_code: str
    organization_id: uuid.UUID | None  # None: a file's row naming `organization` instead
    period: str
    value: bool | float | None  # None: a file's row without a value, not reported (`unreported`)
    sheet: SheetItem | None = None  # what a file's row says beyond the posted fields

    @property
    def organization(self) -> str | None:
        return self.sheet.organization if self.sheet else None


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What the checks of an import's rows read of an indicator, copied once per import from
    the ORM object (each of whose attributes is a descriptor call: 10,000 rows read about
    eight of them each)."""

    id: uuid.UUID
    code: str
    method: str
    unit: str
    params: dict[str, Any]
    owner_territory_id: uuid.UUID | None
    applies_to: frozenset[str]  # the kinds of organization it is for

    @classmethod
    def of(cls, indicator: Indicator) -> "IndicatorFacts":
        return cls(
            indicator.id,
            indicator.code,
            indicator.method,
            indicator.unit,
            indicator.params,
            indicator.owner_territory_id,
            frozenset(indicator.applies_to),
        )


Checked = Indicator | IndicatorFacts  # what the checks below read


@functools.lru_cache(maxsize=20_000)
def _organization_id(text: str) -> uuid.UUID | None:
    """A posted organization id (the same few ids repeat over a request's rows)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def parse_row(item: Any) -> DataValueRow | list[RowError]:
    """One row's shape and types (a hand-written check: 10,000 rows a request, so it counts);
    a file's row (`SheetItem`) may name its organization instead of giving its id. A posted
    row of exactly the four fields, well typed, takes the short way."""
    if type(item) is dict and len(item) == 4:
        code, org = item.get("indicator_code"), item.get("organization_id")
        period, value = item.get("period"), item.get("value")
        if type(code) is str and type(period) is str:  # spaces around a code: no part of it
            code, period = code.strip(), period.strip()
        if (
            type(code) is str  # exactly: not a subclass
            and type(period) is str
            and type(org) is str
            and type(value) in (float, int)  # not a bool
            and 1 <= len(code) <= 80
            and 4 <= len(period) <= WRITTEN_PERIOD_MAX
            and (organization_id := _organization_id(org)) is not None
        ):
            return DataValueRow(code, organization_id, period, value)
    sheet = item if isinstance(item, SheetItem) else None
    # A file's row whose value cell is empty reports nothing (a template's row not filled in):
    # checked like the others, then left out, never stored (`unreported`). A posted row's
    # value is what it sends: a null is refused.
    unreported = sheet is not None and "value" not in sheet.fields
    if sheet is not None:
        item = {
            **sheet.fields,
            **({"organization_id": None} if sheet.organization else {}),
            **({"value": None} if unreported else {}),
        }
    if not isinstance(item, dict):
        return [RowError(loc=[], msg="ожидается объект")]
    errors = [RowError(loc=[k], msg="лишнее поле") for k in item if k not in FIELDS]
    errors += [RowError(loc=[k], msg="обязательное поле") for k in FIELDS if k not in item]
    errors += [RowError(loc=[k], msg=m) for k, m in (sheet.problems if sheet else [])]
    if errors:
        return errors
    code, org, period, value = (item[k] for k in FIELDS)
    # Spaces around a typed code are no part of it (a file's cells are stripped alike).
    code = code.strip() if isinstance(code, str) else code
    period = period.strip() if isinstance(period, str) else period
    if not isinstance(code, str) or not 1 <= len(code) <= 80:
        errors.append(RowError(loc=["indicator_code"], msg="ожидается код показателя"))
    org = _organization_id(org) if isinstance(org, str) else None
    if org is None and not (sheet and sheet.organization):
        errors.append(RowError(loc=["organization_id"], msg="ожидается UUID организации"))
    if not isinstance(period, str) or not 4 <= len(period) <= WRITTEN_PERIOD_MAX:
        errors.append(RowError(loc=["period"], msg="ожидается период, например 2021/2022"))
    if isinstance(value, str) and (cell := Cell(value)).type == CellType.number:
        # Posted text is read as a file's cell is ("64,5", "1 234"; a percent sign is not
        # taken: a posted percent is a number from 0 to 100), noted (`posted_note`).
        value = value if cell.percent else cell.value
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
        # Excel's scientific notation, as a CSV saved from it writes a large number: «1,5E+3»
        # in Russian, «1.5E+3» or «1e3» in English; read alike, and said.
        written = value.strip()
        value = float(written.replace(",", "."))
        if sheet is not None and math.isfinite(value):
            sheet.notes.append(("value", reinterpreted.exponent(written, value)))
    if isinstance(value, str):  # spreadsheets give text: "1", "64.5", "true"
        value = _BOOLEANS.get(value.strip().lower(), value)
        if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
            value = float(value)  # not float() of any text: it takes «1_0.5» and «٥»
    if isinstance(value, str) and _odd_number(value):
        errors.append(RowError(loc=["value"], msg=odd_digits(value)))
    elif not isinstance(value, bool | int | float) and not unreported:
        errors.append(RowError(loc=["value"], msg=NOT_A_VALUE))
    return errors or DataValueRow(code, org, period, value, sheet)


_BOOLEANS = {"true": True, "false": False, "да": True, "нет": False, "истина": True, "ложь": False}
# A number as text that is no cell's form (".5", "12."): ASCII digits only.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)
# A number in scientific notation: «1,5E+3», «1.5e3», «2E-2».
_EXPONENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d{1,3}", re.ASCII)
# «1_000», «1_0.5», «٥», «５»: what float() reads as numbers, no one's way of writing one
_ODD_DIGITS = re.compile(r"^[\s+-]*(?:\d[\d_.,\s]*)$")


def _odd_number(value: str) -> bool:
    return bool(_ODD_DIGITS.match(value)) and ("_" in value or not value.isascii())


def odd_digits(value: str) -> str:
    """Why a number written with an underscore or another script's digits is not taken."""
    return (
        f"число «{value}» записано с «_» или не латинскими цифрами: ожидается, например, "
        "1234, 1 234 или 64,5"
    )


NOT_A_VALUE = "ожидается число или да/нет"  # before the indicator is known (`expected`)
_EXPECTED = {  # what a file's cell may hold
    "boolean": "показатель «да/нет»: ожидается да/нет, ИСТИНА/ЛОЖЬ, 1/0 или true/false",
    "percent": "показатель в процентах: ожидается число от 0 до 100, можно со знаком «%»",
    "count": "показатель в штуках: ожидается целое число",
    "number": "ожидается число, можно с десятичной запятой",
}
_EXPECTED_POSTED = {  # what a posted JSON value may be
    "boolean": "показатель «да/нет»: ожидается true или false (или 1/0)",
    "percent": "показатель в процентах: ожидается число от 0 до 100 (без знака «%»)",
    "count": "показатель в штуках: ожидается целое число",
    "number": "ожидается число",
}


def posted_note(raw: Any, stored: float, indicator: Checked) -> str | None:
    """What reading a posted JSON value reinterpreted (the summary's warning), or None: text
    read as a number or a yes/no («значение передано текстом «64,5» — прочитано как 64,5»),
    a number read as a yes/no («число 1 прочитано как «да»»)."""
    boolean = indicator.params.get("value_type") == "boolean"
    if isinstance(raw, str):
        shown = ("да" if stored else "нет") if boolean else reinterpreted.decimal_text(stored)
        return reinterpreted.value_text(raw, shown, cell=False)
    if boolean and not isinstance(raw, bool):
        return reinterpreted.boolean_number(int(raw), bool(stored))
    return None


def expected(indicator: Checked, *, file: bool) -> str:
    """What a value of this indicator may be, said when one is not: for a yes/no indicator
    the spellings of yes and no taken, for a percent one the range (and in a file the sign),
    for one in units ("count") a whole number, else a number (in a file: with a decimal
    comma). A file's cell is read more ways (1/0, ИСТИНА/ЛОЖЬ, "64,5 %") than a posted JSON
    value, and each is told what it may hold."""
    kind = indicator.params.get("value_type")
    if kind not in ("boolean", "percent"):
        kind = "count" if indicator.unit == "count" else "number"
    return (_EXPECTED if file else _EXPECTED_POSTED)[kind]


def not_for_kind(indicator: Checked, kind: str) -> str:
    """Why an organization of `kind` takes no value of an indicator for other kinds
    (`applies_to`): its values would be left out of every figure."""
    meant = ", ".join(
        ORGANIZATION_KINDS_FOR[k] for k in ORGANIZATION_KINDS if k in indicator.applies_to
    )
    return (
        f"показатель «{indicator.code}» — для {meant}, а не для {ORGANIZATION_KINDS_FOR[kind]}: "
        "такое значение не вошло бы ни в один расчёт"
    )


def refused_codes(rows: list[tuple[int, Any]], rejected: list[Rejected]) -> dict[int, str]:
    """The indicator code of each rejected row whose value was refused as neither a number nor
    a boolean (`NOT_A_VALUE`), by the row's index."""
    items = dict(rows)
    codes = {}
    for refused in rejected:
        if any(e.loc == ["value"] and e.msg == NOT_A_VALUE for e in refused.errors):
            item = items.get(refused.index)
            fields = item.fields if isinstance(item, SheetItem) else item
            code = fields.get("indicator_code") if isinstance(fields, dict) else None
            if isinstance(code, str):
                codes[refused.index] = code
    return codes


def explain_refused_values(
    rows: list[tuple[int, Any]], rejected: list[Rejected], indicators: dict[str, Checked]
) -> None:
    """Each value refused before its indicator was known (`NOT_A_VALUE`) told instead what
    that indicator accepts (`expected`), when it is one of the global catalogue's that
    organizations enter (a territory's own indicator: its kind is not told to another)."""
    codes, items = refused_codes(rows, rejected), dict(rows)
    for refused in rejected:
        indicator = indicators.get(codes.get(refused.index, ""))
        if indicator is None or indicator.method != "data_value":
            continue
        if indicator.owner_territory_id is not None:
            continue
        file = isinstance(items.get(refused.index), SheetItem)
        for error in refused.errors:
            if error.loc == ["value"] and error.msg == NOT_A_VALUE:
                error.msg = expected(indicator, file=file)


def value_bounds(params: dict[str, Any]) -> tuple[float | None, float | None]:
    """The least and the greatest value an indicator of these `params` takes (None: no
    bound): its `min` and `max`, a percent's within 0–100. The one home of these bounds, for
    an import's check (`check_value`) and a definition change's (indicators/stored_values.py)."""
    low, high = params.get("min"), params.get("max")
    if params.get("value_type") == "percent":
        low, high = max(low or 0, 0), min(high if high is not None else 100, 100)
    return low, high


def check_value(indicator: Checked, row: DataValueRow) -> tuple[float | None, str | None]:
    """The value as stored (booleans as 1/0), or why it does not fit the indicator. A file's
    1 and 0 are true and false; its percent (64,5 %) fits a percent indicator only; an
    indicator counted in units ("count") takes whole numbers only."""
    value, value_type = row.value, indicator.params.get("value_type")
    if row.sheet and row.sheet.percent and value_type != "percent":
        return None, "значение в процентах, а показатель не в процентах"
    if value_type == "boolean" and value in (0, 1) and not isinstance(value, bool):
        value = bool(value)  # as a file's 1/0, and as GET /v1/data-values gives it (1.0, 0.0)
        if row.sheet:
            row.sheet.notes.append(("value", reinterpreted.boolean_number(int(value), value)))
    if value_type == "boolean":
        if not isinstance(value, bool):
            return None, expected(indicator, file=row.sheet is not None)
        return float(value), None
    if isinstance(value, bool):
        return None, expected(indicator, file=row.sheet is not None)
    # Bounded, so that no sum of values can overflow (an int is compared before any float()).
    if not -MEASURE_MAX <= value <= MEASURE_MAX:
        if isinstance(value, float) and not math.isfinite(value):
            return None, expected(indicator, file=row.sheet is not None)
        return None, f"значение по модулю больше {MEASURE_MAX_TEXT}"
    if indicator.unit == "count" and not float(value).is_integer():
        return (
            None,
            f"показатель в штуках: ожидается целое число, а не {reinterpreted.decimal_text(value)}",
        )
    low, high = value_bounds(indicator.params)
    if low is not None and value < low:
        return None, f"значение меньше {low:g}"
    if high is not None and value > high:
        return None, f"значение больше {high:g}"
    return float(value) + 0.0, None  # -0 stored as 0: no «-0» in exports and syncs
