"""Pages and API of the sampling casework (issue 14; monitor/casework/sampling*.py does the work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
