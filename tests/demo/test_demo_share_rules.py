"""The demo's rules on shares of two counts: a tester uploaded 1 teacher for the gymnasium
(it has 36) and saw «2 800 %» «✓ достигнуто» with no warning at the upload. The demo now
keeps a rule `part <= whole` per such share, so the same upload, checked, names it; the
demo's own data breaks none of them."""

from services.demo.years import demo_years
from tests.demo.helpers import demo_api


async def test_a_mistyped_whole_is_named_at_the_upload(loaded_demo):
    year = demo_years(loaded_demo.settings.today())[-1]
    async with demo_api(loaded_demo.settings, "admin@demo.soko.ru") as client:
        rules = (await client.get("/v1/validation-rules", params={"limit": 100})).json()
        shares = {r["code"] for r in rules["items"] if r["code"].endswith("_le_100")}
        assert "teachers_gifted_training_share_le_100" in shares and len(shares) == 8
        current = await client.get("/v1/validation-results", params={"limit": 1})
        assert current.status_code == 200 and current.json()["total"] == 0, current.text

    async with demo_api(loaded_demo.settings, "leader@demo.soko.ru") as leader:
        me = (await leader.get("/v1/me")).json()
        row = {
            "indicator_code": "teachers_count",
            "organization_id": me["scope_id"],
            "period": year,
            "value": 1,
        }
        checked = await leader.post("/v1/data-values?dry_run=true", json={"values": [row]})
        assert checked.status_code == 200, checked.text
        said = {v["rule_code"]: v["message"] for v in checked.json()["violations"]}
    assert "teachers_gifted_training_share_le_100" in said
    assert said["teachers_gifted_training_share_le_100"].endswith(
        "выходит больше 100 %. Проверьте оба значения."
    )
