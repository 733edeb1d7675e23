"""How current a followed feed's facts are said to be while the follower waits on a long
poll (services/reports/facts/follower.py `FollowerStatus.as_of`): never «now», which a change
committed 20 ms before and still on its way had not reached (a fresh tester wrote, read at
once and was told the old value was current, `lag_seconds` 0)."""

from datetime import UTC, datetime, timedelta

from services.reports.facts.follower import DELIVERY, FollowerStatus


def test_a_waiting_follower_is_current_but_for_what_is_on_its_way():
    asked = datetime.now(UTC) - timedelta(seconds=20)
    status = FollowerStatus(synced_to=asked, waiting=True, waiting_since=asked)
    before = datetime.now(UTC)
    said = status.as_of()
    assert said is not None
    assert before - DELIVERY - timedelta(seconds=1) < said <= datetime.now(UTC) - DELIVERY


def test_a_poll_just_asked_or_a_read_just_done_dates_nothing():
    """A fresh tester polled /readyz every 100 ms: `lag_seconds` dropped from 1 to 0.1 when
    the follower read a parent's answer and asked again, dating the answer to the 0.1 s."""
    asked = datetime.now(UTC) - timedelta(milliseconds=100)
    for status in (
        FollowerStatus(synced_to=asked, waiting=True, waiting_since=asked),
        FollowerStatus(synced_to=asked),  # reading what came, not waiting
    ):
        before = datetime.now(UTC)
        said = status.as_of()
        assert said is not None and before - DELIVERY - timedelta(seconds=1) < said
        assert said <= datetime.now(UTC) - DELIVERY


def test_a_follower_not_waiting_or_failing_says_its_last_complete_read():
    synced = datetime.now(UTC) - timedelta(seconds=30)
    assert FollowerStatus(synced_to=synced).as_of() == synced
    failing = FollowerStatus(synced_to=synced, waiting=True, waiting_since=synced, error="x")
    assert failing.as_of() == synced
