"""Demo data, loaded through the services' own HTTP APIs (in process), so it obeys every rule."""

from services.demo.loader import load

__all__ = ["load"]
