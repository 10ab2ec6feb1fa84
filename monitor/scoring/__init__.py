"""Scoring listings in the store: the rule packs in force (``active``), listings scored into
flags (``score``), and the scoring process beside a crawl (``worker``)."""
