"""НОК УООД arithmetic on a hand-computed example, the zero-denominator rule and ranking."""

import json

import pytest

from services.reports.quality_evaluation.compute import (
    WEIGHTS_PATH,
    evaluate,
    load_weights,
    r2,
    rank,
    territory_total,
)

# One school, 20 parents (Чобщ = 20):
#   nok_01 used the stand 15, nok_02 satisfied with it 12     → 12/15 = 80 %
#   nok_03 used the site 10, nok_04 satisfied with it 9       →  9/10 = 90 %
#   nok_05 comfort 18                                         → 18/20 = 90 %
#   nok_06 with a disability 3, nok_07 satisfied 2            →  2/3  = 66.67 %
#   nok_08 courtesy at first contact 19                       → 19/20 = 95 %
#   nok_09 courtesy in service 17                             → 17/20 = 85 %
#   nok_10 used remote interaction 8, nok_11 courteous 7      →  7/8  = 87.5 %
#   nok_12 recommend 16, nok_13 organisational 15, nok_14 overall 17 → 80, 75, 85 %
# Expert checklist: stand 9 of 10 norm items, site 17 of 20, 2 remote channels,
# 4 comfort conditions, 3 premises conditions, 6 service conditions (capped at 100).
EXAMPLE = {
    "respondents": 20,
    "nok_01": 15,
    "nok_02": 12,
    "nok_03": 10,
    "nok_04": 9,
    "nok_05": 18,
    "nok_06": 3,
    "nok_07": 2,
    "nok_08": 19,
    "nok_09": 17,
    "nok_10": 8,
    "nok_11": 7,
    "nok_12": 16,
    "nok_13": 15,
    "nok_14": 17,
    "nok_info_stand_items": 9,
    "nok_info_stand_norm": 10,
    "nok_info_site_items": 17,
    "nok_info_site_norm": 20,
    "nok_remote_channels": 2,
    "nok_comfort_conditions": 4,
    "nok_access_premises": 3,
    "nok_access_services": 6,
}

EXPECTED_INDICATORS = {
    "p_inf": 87.5,  # 0.5·(9/10 + 17/20)·100 = 0.5·(90 + 85)
    "p_dist": 60.0,  # 2 channels · 30
    "p_otkr_ud": 85.0,  # 0.5·(12/15 + 9/10)·100 = 0.5·(80 + 90)
    "p_komf_usl": 80.0,  # 4 conditions · 20
    "p_komf_ud": 90.0,  # 18/20
    "p_org_dost": 60.0,  # 3 · 20
    "p_uslug_dost": 100.0,  # 6 · 20 = 120, at most 100
    "p_dost_ud": 66.67,  # 2/3
    "p_perv_kont": 95.0,  # 19/20
    "p_okaz_uslug": 85.0,  # 17/20
    "p_vezhl_dist": 87.5,  # 7/8
    "p_rekom": 80.0,  # 16/20
    "p_org_usl": 75.0,  # 15/20
    "p_ud": 85.0,  # 17/20
}

EXPECTED_CRITERIA = {
    "k1": 78.25,  # 0.3·87.5 + 0.3·60 + 0.4·85 = 26.25 + 18 + 34
    "k2": 85.0,  # 0.5·80 + 0.5·90
    "k3": 78.0,  # 0.3·60 + 0.4·100 + 0.3·66.67 = 18 + 40 + 20.001 → 78.00
    "k4": 89.5,  # 0.4·95 + 0.4·85 + 0.2·87.5 = 38 + 34 + 17.5
    "k5": 81.5,  # 0.3·80 + 0.2·75 + 0.5·85 = 24 + 15 + 42.5
}
EXPECTED_TOTAL = 82.45  # (78.25 + 85 + 78 + 89.5 + 81.5) / 5 = 412.25 / 5


def test_the_hand_computed_example_gives_every_indicator_criterion_and_the_total():
    result = evaluate(EXAMPLE)
    assert result["indicators"] == EXPECTED_INDICATORS
    assert {k: result[k] for k in EXPECTED_CRITERIA} == EXPECTED_CRITERIA
    assert result["total"] == EXPECTED_TOTAL
    assert result["notes"] == []


def test_nobody_used_the_site_drops_the_site_terms_and_rescales_with_a_note():
    counts = EXAMPLE | {"nok_03": 0, "nok_04": 0}
    result = evaluate(counts)
    # Поткруд from the stand alone: 12/15 = 80 (weight 0.5 rescaled to 1).
    assert result["indicators"]["p_otkr_ud"] == 80.0
    # К1 = 0.3·87.5 + 0.3·60 + 0.4·80 = 26.25 + 18 + 32
    assert result["k1"] == 76.25
    # Sn = (76.25 + 85 + 78 + 89.5 + 81.5) / 5 = 410.25 / 5
    assert result["total"] == 82.05
    assert len(result["notes"]) == 1
    assert "сайт" in result["notes"][0] and "nok_03 = 0" in result["notes"][0]


def test_no_respondent_with_a_disability_rescales_the_accessibility_criterion():
    result = evaluate(EXAMPLE | {"nok_06": 0, "nok_07": 0})
    assert result["indicators"]["p_dost_ud"] is None
    # К3 = (0.3·60 + 0.4·100) / (0.3 + 0.4) = 58 / 0.7 = 82.857…
    assert result["k3"] == 82.86
    assert any("Пдостуд" in n and "nok_06 = 0" in n and "К3" in n for n in result["notes"])


def test_without_the_survey_only_the_checklist_terms_remain_and_there_is_no_total():
    checklist = {k: v for k, v in EXAMPLE.items() if k.startswith("nok_") and len(k) > 6}
    result = evaluate(checklist)
    # К1 = (0.3·87.5 + 0.3·60) / 0.6 = 73.75; К2 = Пкомф.усл = 80; К3 = (18 + 40) / 0.7
    assert (result["k1"], result["k2"], result["k3"]) == (73.75, 80.0, 82.86)
    assert (result["k4"], result["k5"], result["total"]) == (None, None, None)
    assert any("К4" in n for n in result["notes"])


def test_ties_share_a_rank_and_the_next_one_is_skipped():
    ranks = rank({"a": 80.0, "b": 90.5, "c": 80.0, "d": None, "e": 70.0})
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}


def test_the_territory_value_is_the_mean_of_the_organizations_totals():
    assert territory_total([82.45, 70.0, None]) == 76.23  # 152.45 / 2 = 76.225, half up
    assert territory_total([None]) is None


def test_rounding_is_half_up():
    assert (r2(76.225), r2(0.125), r2(2 / 3 * 100)) == (76.23, 0.13, 66.67)


def test_weights_and_points_are_read_from_weights_json(tmp_path):
    weights = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    assert weights == load_weights()
    for spec in weights["criteria"].values():
        assert sum(spec["weights"].values()) == pytest.approx(1)
    assert sum(weights["total"].values()) == pytest.approx(1)
    # A changed order: 25 points per remote channel, К1 weights 0.2 / 0.4 / 0.4.
    weights["indicators"]["p_dist"]["points"] = 25
    weights["criteria"]["k1"]["weights"] = {"p_inf": 0.2, "p_dist": 0.4, "p_otkr_ud": 0.4}
    result = evaluate(EXAMPLE, weights)
    assert result["indicators"]["p_dist"] == 50.0
    assert result["k1"] == 71.5  # 0.2·87.5 + 0.4·50 + 0.4·85 = 17.5 + 20 + 34
