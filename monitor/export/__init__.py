"""Enforcement exports: leads as spreadsheets (``leads``, ``sheets``); case packages, notices,
referrals and reports build on the same rows."""
