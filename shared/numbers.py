"""Numbers shown to people: one home for a share in percent."""


def percent(part: float, whole: float) -> float | None:
    """`part` of `whole` in percent 0–100, one decimal; None when `whole` is 0 (nothing to
    take a share of), so that a share of nothing is never shown as 0 %."""
    return round(100 * part / whole, 1) if whole else None
