from tests.web_fixtures import *  # noqa: F401,F403  TODO(issue 12): remove after hand-off
from tests.web_fixtures import _assessment, _lookalike  # noqa: F401  TODO(issue 12): remove after hand-off
