"""How the leader's collection card words a value flagged as a possible outlier: one line per
value, every check that flags it (a value two checks flag is one value to fix, not two)."""

from datetime import UTC, datetime

from services.api.outliers.schemas import OutlierFlagRead
from services.api.pages.quality_reads import _by_value, outlier_text

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def flag(check: str, **fields) -> OutlierFlagRead:
    base = {"bound": None, "median": None, "n": None, "score": None, "flagged_at": NOW}
    return OutlierFlagRead(indicator_code="coverage", check=check, value=3, **base | fields)


def test_a_value_two_checks_flag_is_one_line_naming_both():
    flags = [flag("min_max", bound=50), flag("territory_z", median=84.5, n=30, score=-5.1)]
    grouped = _by_value(flags)
    assert list(grouped) == ["coverage"]
    assert outlier_text(grouped["coverage"], "Охват внеурочной деятельностью") == (
        "«Охват внеурочной деятельностью»: 3 — за допустимой границей 50; сильно отличается "
        "от значений других организаций (медиана 84,5)"
    )


def test_a_history_check_names_the_earlier_periods():
    text = outlier_text([flag("history_z", median=80, n=4, score=7.2)], "Охват")
    assert text == "«Охват»: 3 — сильно отличается от прежних периодов (медиана 80)"
