"""The low-response-rate rules over hand-made facts: per school and territory, reminders while a
campaign is open (not in the first half of its window), the next campaign once it has ended,
and a reminder that no longer holds once the campaign ends or its rate recovers."""

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from services.reports.recommendations.engine import evaluate
from services.reports.recommendations.facts import campaign_window
from services.reports.recommendations.resolution import judged
from services.reports.recommendations.rules import validate
from shared.errors import Invalid
from tests.reports.engine_facts import S1, S2, S3, TERRITORY, facts, rules

CAMPAIGN = uuid.uuid4()


def test_a_low_response_rate_is_flagged_per_school_and_per_territory():
    campaign = {
        "id": CAMPAIGN,
        "title": "Удовлетворённость родителей",
        # S1: 12 of 30 = 40 % < 50 %; S2: 15 of 30 = 50 % is enough; S3 expects nobody.
        "organizations": {S1: (12, 30), S2: (15, 30), S3: (4, None)},
        "territories": {TERRITORY: (31, 60)},  # 51.7 %
    }
    found = evaluate(
        rules("leader_low_response_rate", "authority_low_response_rate"),
        facts(campaigns=[campaign]),
    )
    assert [(c.rule_code, c.addressee_id) for c in found] == [("leader_low_response_rate", S1)]
    assert "получено ответов: 12 из 30 ожидаемых (40\u00a0%), меньше 50\u00a0%" in found[0].text
    assert found[0].evidence["rate"] == 40.0


LOW_RESPONSE = (
    "leader_low_response_rate",
    "authority_low_response_rate",
    "leader_low_response_rate_ended",
    "authority_low_response_rate_ended",
)


def _campaign(state: str, closes: str) -> dict:
    # S1: 12 of 30 = 40 %; the territory: 20 of 60 = 33.3 % — both below 50 %.
    return {
        "id": uuid.uuid4(),
        "title": f"Анкета {state}",
        "state": state,
        "closes": closes,
        "organizations": {S1: (12, 30)},
        "territories": {TERRITORY: (20, 60)},
    }


def test_an_open_campaign_asks_for_reminders_before_it_closes():
    found = evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("open", "20.12.2026")]))
    assert sorted(c.rule_code for c in found) == [
        "authority_low_response_rate",
        "leader_low_response_rate",
    ]
    leader = next(c for c in found if c.addressee_id == S1)
    assert "до окончания анкетирования (20.12.2026) напомните участникам" in leader.text
    assert leader.actions[0]["text"].endswith("о сроках (до 20.12.2026)")


def test_an_ended_campaign_speaks_of_the_next_one_never_of_reminding():
    found = evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("ended", "15.05.2022")]))
    assert sorted(c.rule_code for c in found) == [
        "authority_low_response_rate_ended",
        "leader_low_response_rate_ended",
    ]
    for c in found:
        said = c.text + " ".join(a["text"] for a in c.actions)
        assert "завершилось 15.05.2022" in c.text
        assert "следующ" in said
        assert "Напомнить участникам" not in said and "Продлить сроки" not in said
        assert c.evidence["state"] == "ended"


def test_a_campaign_not_yet_open_is_not_flagged():
    assert (
        evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("upcoming", "01.09.2027")])) == []
    )


def test_a_campaign_in_the_first_half_of_its_window_is_not_judged_yet():
    """Five days into a five-week campaign 2 % have answered: too soon to ask for reminders
    or more time; past its middle the same rate is flagged."""
    assert evaluate(rules(*LOW_RESPONSE), facts(campaigns=[_campaign("early", "01.01.2027")])) == []
    opens = datetime(2026, 11, 27, 1, 23, tzinfo=UTC)
    closes = opens + timedelta(days=35)
    states = [
        campaign_window(opens, closes, now)["state"]
        for now in (
            opens - timedelta(hours=1),
            opens + timedelta(days=5),
            opens + timedelta(days=17, hours=12),
            opens + timedelta(days=30),
            closes,
        )
    ]
    assert states == ["upcoming", "early", "open", "open", "ended"]
    assert campaign_window(None, closes, opens)["state"] == "open"  # no opening known: judged


def test_the_response_rule_state_is_one_of_open_or_ended():
    with pytest.raises(Invalid):
        validate("low_response_rate", {"threshold": 50, "state": "closed"}, "authority", "", [])


def test_a_reminder_no_longer_holds_once_the_campaign_ends_or_its_rate_recovers():
    """The generation that sees the campaign judges the open campaign's recommendation again:
    ended (the open rule gives nothing) or answered enough, its cause is gone; a campaign this
    generation did not see, or a school it did not weigh, is not judged."""
    scope = SimpleNamespace(scope_id=TERRITORY, organization_ids=frozenset({S1, S2}))
    opened = _campaign("open", "20.12.2026")
    [leader] = [
        c for c in evaluate(rules(*LOW_RESPONSE), facts(campaigns=[opened])) if c.addressee_id == S1
    ]
    rec = SimpleNamespace(
        addressee_id=S1, organization_id=S1, indicator_code=None, evidence=leader.evidence
    )
    ended = dict(opened, state="ended")
    assert judged(rec, "low_response_rate", facts(campaigns=[ended]), scope)
    recovered = dict(opened, organizations={S1: (25, 30)})
    assert judged(rec, "low_response_rate", facts(campaigns=[recovered]), scope)
    assert evaluate(rules("leader_low_response_rate"), facts(campaigns=[recovered])) == []
    other = dict(opened, id=uuid.uuid4())
    assert not judged(rec, "low_response_rate", facts(campaigns=[other]), scope)
    unweighed = dict(opened, organizations={S2: (1, 30)})
    assert not judged(rec, "low_response_rate", facts(campaigns=[unweighed]), scope)


def test_counts_of_thousands_are_grouped_as_russian_readers_write_them():
    """«получено ответов: 60 из 1111» read as a code; «1 111» with a no-break space."""
    campaign = {
        "id": CAMPAIGN,
        "title": "Удовлетворённость родителей",
        "organizations": {S1: (60, 1111)},
        "territories": {TERRITORY: (1060, 2111)},
    }
    found = evaluate(rules("leader_low_response_rate"), facts(campaigns=[campaign]))
    assert "получено ответов: 60 из 1\u00a0111 ожидаемых (5,4\u00a0%)" in found[0].text
    assert found[0].evidence["expected"] == 1111  # the evidence keeps the number
