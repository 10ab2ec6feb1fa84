from monitor.review import Decision, QueueFilters, ReviewError, queue_sql, record_verdicts  # noqa: F401  TODO(issue 12): remove after hand-off
from monitor.review.accounts import User  # noqa: F401  TODO(issue 12): remove after hand-off
from monitor.verdicts import VERDICT_STATUS  # noqa: F401  TODO(issue 12): remove after hand-off
