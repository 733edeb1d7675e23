"""Outside one's scope a thing answers 404 exactly as one that does not exist (README: «its
existence is not revealed»): the same status and the same words, whichever way it is reached.
A fresh attacker found «Не найдено» for another school's staff member or organization and
«Сотрудник не найден» / «Организация не найдена» for a made-up id; an activity of another
district's roadmap said «Дорожная карта не найдена», a made-up one «Мероприятие не найдено»."""

import uuid

import pytest


def _said(answer) -> tuple[int, str, str]:
    body = answer.json()
    return answer.status_code, body["title"], body["detail"]


@pytest.mark.parametrize(
    ("path", "existing"),
    [
        ("/v1/staff/{}", lambda w: w.t3.id),  # a teacher of S3, in district 2
        ("/v1/organizations/{}", lambda w: w.s3.id),
        ("/v1/territories/{}", lambda w: w.m2.id),
        ("/v1/clusters/{}", lambda w: w.c2.id),
        ("/v1/activities/{}", lambda w: w.a2.id),  # of district 2's roadmap
        ("/v1/activities/{}/files", lambda w: w.a2.id),
        ("/v1/roadmaps/{}", lambda w: w.r2.id),
    ],
)
@pytest.mark.parametrize("who", ["leader", "analyst", "methodologist"])
async def test_another_district_s_thing_answers_as_one_that_does_not_exist(
    api_client, world, path, existing, who
):
    headers = world.headers(who)
    theirs = await api_client.get(path.format(existing(world)), headers=headers)
    made_up = await api_client.get(path.format(uuid.uuid4()), headers=headers)
    assert theirs.status_code == 404, theirs.text
    assert _said(theirs) == _said(made_up)
