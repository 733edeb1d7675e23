"""Helpers the api tests share: the demo's roadmap documents, an assessment result."""

from services.demo.loader import SEEDS


def seed(prefix: str) -> tuple[str, bytes]:
    """The demo's roadmap text whose file name starts with `prefix` ("001"): name, bytes."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.name, path.read_bytes()


def result(world, org=None, **fields) -> dict:
    """A valid ВПР result of 10 fifth-graders in Russian (maximum 45) in S1 (or `org`), as
    posted to /v1/assessment-results, with `fields` changed."""
    row = {
        "organization_id": str(org or world.s1.id),
        "procedure": "vpr",
        "year": "2021/2022",
        "subject": "Русский язык",
        "grade": 5,
        "participants": 10,
        "marks": {"2": 1, "3": 3, "4": 4, "5": 2},
    }
    return row | fields
