"""A share of a score on a page is written as the recommendations write it (one decimal, none
when whole), so a teacher's route («2 из 6 баллов») and the recommendation beside it say the
same figure: the route said «33 %», the recommendation «33,3 %»."""

import pytest

from services.reports.recommendations.candidates import percent_of
from shared.value_labels import score_share


@pytest.mark.parametrize(("part", "whole"), [(2, 6), (2, 5), (0, 5), (4, 6), (1, 3), (5, 5)])
def test_a_route_s_share_reads_as_the_recommendation_s(part, whole):
    assert score_share(100 * part / whole) == percent_of(part, whole)


def test_two_of_six_is_thirty_three_point_three():
    assert score_share(100 * 2 / 6) == "33,3\u00a0%"
    assert score_share(None) == "—"


def test_the_diagnostic_s_thanks_page_writes_the_share_as_the_route():
    """The thanks page after a diagnostic said «2 из 6 (33 %)», the home's route «(33,3 %)»."""
    from services.surveys.form.service import CompetenceResult

    result = CompetenceResult("methods", "Методические", 2, 6, 4, True)
    assert result.share == "33,3\u00a0%" == score_share(100 * 2 / 6)
