"""HTTP: /v1/analysis/… (complex analysis of assessment results)."""

from fastapi import APIRouter

router = APIRouter(prefix="/analysis", tags=["analysis"])
