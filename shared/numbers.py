"""Numbers shown to people: one home for a share in percent and for a file's size."""

from decimal import ROUND_HALF_UP, Decimal

# A file's size: binary units (1 КБ = 1024 байт), as file managers count them.
_SIZE_UNITS = ("КБ", "МБ", "ГБ")


def percent(part: float, whole: float) -> float | None:
    """`part` of `whole` in percent 0–100, one decimal; None when `whole` is 0 (nothing to
    take a share of), so that a share of nothing is never shown as 0 %."""
    return round(100 * part / whole, 1) if whole else None


def file_size(size: int | float, space: str = "\u00a0") -> str:
    """A file's size as people read it, its unit in Russian after a no-break space (`space`):
    «340 байт», «340 КБ», «5,0 МБ», «1,5 ГБ» — one decimal (a comma) below 10, whole from 10
    on, rounded once, half up; the limits of uploads are said alike («файл больше 20 МБ»,
    with a plain space in the API's messages)."""
    if size < 1024:
        return f"{int(size)}{space}байт"
    amount = Decimal(size)
    for unit in _SIZE_UNITS:
        amount /= 1024
        shown = amount.quantize(Decimal("1" if amount >= 10 else "0.1"), ROUND_HALF_UP)
        if shown < 1024 or unit == _SIZE_UNITS[-1]:
            if shown >= 10:  # 9.96 shown as «10», not «10,0»
                shown = shown.quantize(Decimal("1"), ROUND_HALF_UP)
            return f"{shown}".replace(".", ",") + f"{space}{unit}"
    raise AssertionError("unreachable")
