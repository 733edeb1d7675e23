"""The demo's ВПР/ОГЭ results: the two standout schools show what the objectivity analysis
looks for against the rest of the district (computed from the generated rows, no database)."""

from datetime import date

from services.demo.assessments import standouts, synthetic_results
from services.demo.participants import roles
from services.demo.years import demo_years
from tests.demo.test_demo_participants import organizations

YEARS = demo_years(date.today())

# The catalogue's maximum primary scores of the papers looked at (2022 specifications).
MAXIMA = {("vpr", "Математика", 8): 25, ("oge", "Математика", 9): 31, ("vpr", "Математика", 6): 20}


def by_school(rows, procedure, grade, year):
    return {
        r["organization_id"]: r
        for r in rows
        if (r["procedure"], r["subject"], r["grade"], r["year"])
        == (procedure, "Математика", grade, year)
    }


def quality(row):
    return (row["marks"]["4"] + row["marks"]["5"]) / row["participants"] * 100


def share_below(value, values):
    """Percent of the other schools below `value` (PostgreSQL's percent_rank)."""
    return sum(v < value for v in values) / (len(values) - 1) * 100


def test_the_standouts_are_town_schools_without_a_participants_role():
    orgs = organizations()
    chosen = standouts(orgs)
    assert set(chosen) == {"not_confirmed_by_gia", "sudden_rise"}
    taken = {s.id for s in roles(orgs).values()}
    assert all(s.id not in taken and not s.rural for s in chosen.values())
    assert len({s.id for s in chosen.values()}) == 2


def test_a_cohort_high_in_vpr_is_low_in_oge_a_year_later():
    orgs = organizations()
    rows = synthetic_results(orgs, MAXIMA, YEARS)
    school = standouts(orgs)["not_confirmed_by_gia"].id
    vpr = {o: quality(r) for o, r in by_school(rows, "vpr", 8, YEARS[0]).items()}
    oge = {o: quality(r) for o, r in by_school(rows, "oge", 9, YEARS[1]).items()}
    # the analysis' defaults: ВПР rank ≥ 75 and ОГЭ rank ≤ 50
    assert share_below(vpr[school], vpr.values()) >= 75
    assert share_below(oge[school], oge.values()) <= 50


def test_a_rise_well_beyond_the_districts():
    orgs = organizations()
    rows = synthetic_results(orgs, MAXIMA, YEARS)
    school = standouts(orgs)["sudden_rise"].id
    before, after = (by_school(rows, "vpr", 6, year) for year in YEARS)

    def pooled(results):  # mean completion of the district, percent
        return (
            sum(r["mean_score"] * r["participants"] for r in results.values())
            / sum(20 * r["participants"] for r in results.values())
            * 100
        )

    rise = (after[school]["mean_score"] - before[school]["mean_score"]) / 20 * 100
    assert rise > pooled(after) - pooled(before) + 15  # the default sudden_rise_points
