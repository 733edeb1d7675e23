"""A step the approval's state does not allow is refused (409) saying what the state actually
is: data returned for revision are not «not submitted», approved data are named with who
approved them."""

import pytest

from tests.api.test_approvals import act, approval_world


@pytest.fixture
async def world(db, settings):
    return await approval_world(db, settings)


async def refused(api_client, world, action, who, **step) -> str:
    """The Russian detail of the 409 that refuses the step."""
    answer = await act(api_client, world, action, who, **step)
    assert answer.status_code == 409, answer.text
    return answer.json()["detail"]


async def returned(api_client, world) -> None:
    await act(api_client, world, "submit", "leader")
    back = await act(api_client, world, "return", "analyst", comment="Нет данных о КПК")
    assert back.status_code == 200, back.text


async def test_a_second_return_says_the_data_are_already_returned(api_client, world):
    await returned(api_client, world)
    detail = await refused(api_client, world, "return", "analyst", comment="Ещё раз")
    assert detail == "Данные уже возвращены на доработку: организация ещё не подала их снова"


async def test_approving_returned_data_says_they_wait_for_a_new_submission(api_client, world):
    await returned(api_client, world)
    assert await refused(api_client, world, "approve", "analyst") == (
        "Данные возвращены на доработку: утвердить их можно, когда организация подаст их снова"
    )


async def test_withdrawing_returned_data_says_they_are_already_returned(api_client, world):
    await returned(api_client, world)
    assert await refused(api_client, world, "withdraw", "leader") == (
        "Данные уже возвращены на доработку, подача снята: отзывать нечего. "
        "Исправьте данные и подайте их снова"
    )


async def test_unapproving_returned_data_says_they_are_returned_not_approved(api_client, world):
    await returned(api_client, world)
    assert await refused(api_client, world, "unapprove", "analyst", comment="Ошибка") == (
        "Данные возвращены на доработку, а не утверждены: отзывать нечего"
    )


async def test_returning_or_approving_nothing_submitted_says_so(api_client, world):
    assert await refused(api_client, world, "return", "analyst", comment="Что-то") == (
        "Организация ещё не подала данные на утверждение: возвращать нечего"
    )
    assert await refused(api_client, world, "approve", "analyst") == (
        "Организация ещё не подала данные на утверждение"
    )


async def test_returning_data_approved_at_ones_own_level_says_to_unapprove_first(api_client, world):
    await act(api_client, world, "submit", "leader")
    await act(api_client, world, "approve", "analyst")
    assert await refused(api_client, world, "return", "analyst", comment="Сверить") == (
        "Данные уже утверждены («Район 1»): чтобы вернуть их на доработку, "
        "сначала отзовите утверждение"
    )
    assert await refused(api_client, world, "submit", "leader") == (
        "Данные уже утверждены («Район 1»): подавать их снова не нужно"
    )


async def test_approving_again_below_a_higher_approval_names_the_higher_level(api_client, world):
    regional = world.regional
    await act(api_client, world, "submit", "leader", collection=regional)
    await act(api_client, world, "approve", "analyst", collection=regional)
    top = await act(api_client, world, "approve", "regional", collection=regional)
    assert (top.json()["status"], top.json()["level"]) == ("approved", 2)
    assert await refused(api_client, world, "approve", "analyst", collection=regional) == (
        "Данные уже утверждены на этом уровне и выше: «Область»"
    )
    assert await refused(api_client, world, "approve", "regional", collection=regional) == (
        "Данные уже утверждены на этом уровне"
    )
