"""Pages and API of the complaints casework (issue 14; monitor/casework/complaints*.py does the work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
