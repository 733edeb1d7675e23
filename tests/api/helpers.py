"""Helpers the api tests share: the demo's roadmap documents."""

from services.demo.loader import SEEDS


def seed(prefix: str) -> tuple[str, bytes]:
    """The demo's roadmap text whose file name starts with `prefix` ("001"): name, bytes."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.name, path.read_bytes()
