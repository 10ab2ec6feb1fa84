"""Listings in: files read (``parse``), rows checked and normalised (``normalise``) in batches
(``batches``), batches written to the store and scored (``write``, ``importing``, ``parallel`` and its ``worker``).

Kept empty on purpose: ``monitor.ingest.normalise`` is imported on its own (by the rule
quality tools and ``monitor score``) without the store behind the writing modules.
"""
