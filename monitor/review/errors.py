"""The error of the review data layer: a request the store refuses."""

from __future__ import annotations


class ReviewError(ValueError):
    """A request the store refuses (bad verdict, missing reason, stale flag): 400/409."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status

