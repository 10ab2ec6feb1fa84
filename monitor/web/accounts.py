from monitor.review.accounts import AccountError, User, add_user, generate_password, set_password  # noqa: F401  TODO(issue 12): remove after hand-off
