"""Shares on the pages (`ru_percent`): one answer of 571 is «менее 1 %», never «0 %» as if no
one had answered; nor is 570 of 571 «100 %»."""

from services.api.pages.render import templates
from shared.templating import share_text


def test_a_share_under_one_percent_is_not_zero():
    said = {p: str(share_text(p)) for p in (None, 0, 0.18, 0.99, 1, 49.5, 50.4, 99.2, 99.83, 100)}
    assert said == {
        None: "—", 0: "0&nbsp;%", 0.18: "менее&nbsp;1&nbsp;%", 0.99: "менее&nbsp;1&nbsp;%",
        1: "1&nbsp;%", 49.5: "50&nbsp;%", 50.4: "50&nbsp;%", 99.2: "более&nbsp;99&nbsp;%",
        99.83: "более&nbsp;99&nbsp;%", 100: "100&nbsp;%",
    }  # fmt: skip


def test_the_campaign_rates_and_the_roadmaps_progress_say_it():
    env = templates.env
    rate = env.from_string('{% from "_peers.html" import percent %}{{ percent(100 / 571) }}')
    assert rate.render() == "менее&nbsp;1&nbsp;%"
    roadmaps = (env.loader.get_source(env, "_roadmaps.html"))[0]  # type: ignore[union-attr]
    assert "done_share|ru_percent" in roadmaps
