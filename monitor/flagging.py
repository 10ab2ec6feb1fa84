"""Monitor.flagging moved to monitor.scoring.score."""
from monitor.scoring.score import as_listing, engine_for, rescore, score_keys, score_rows  # noqa: F401  # TODO(issue 12): remove after hand-off
