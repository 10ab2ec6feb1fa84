"""Pages and API of the referrals casework (issue 14; monitor/casework/referrals*.py does the work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
