"""Schema of the complaints casework (issue 14, monitor/casework/complaints*.py): its own migration set,
applied after the store's and the review app's (it refers to listings, flags and users).
Append new migrations; never edit one that has shipped."""

from __future__ import annotations

from sqlite_utils.migrations import Migrations

COMPLAINTS_MIGRATIONS = Migrations("monitor-complaints")
