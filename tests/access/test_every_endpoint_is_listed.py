"""A new endpoint must join the access matrix (tests/access/endpoints/)."""

from tests.access.cases import PUBLIC
from tests.access.endpoints import CASES


def test_every_endpoint_is_in_the_table(apps):
    served = set()
    for name in ("api", "surveys", "reports"):
        for path, operations in getattr(apps, name).openapi()["paths"].items():
            if path in ("/healthz", "/readyz"):
                continue
            served |= {f"{name} {method.upper()} {path}" for method in operations}
    listed = set(CASES) | {f"{s} {m} {p}" for s, m, p in PUBLIC}
    assert served - listed == set(), "endpoints missing from the access table"
    assert listed - served == set(), "table rows for endpoints that do not exist"
