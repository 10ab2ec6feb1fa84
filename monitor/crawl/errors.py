"""Download failures in words an analyst can act on, for run records and summaries."""

from __future__ import annotations

from OpenSSL.SSL import Error as TLSError  # pyOpenSSL is a dependency of Scrapy


def _describe(exc: BaseException) -> str:
    # Scrapy re-raises Twisted's errors as its own (DownloadFailedError, CannotResolveHostError)
    # "from" the original; Twisted's ResponseFailed / ResponseNeverReceived hold a list of
    # underlying failures whose repr is unreadable. Walk down to the real cause.
    reasons = getattr(exc, "reasons", None)
    if reasons:
        return "; ".join(dict.fromkeys(_describe(r.value) for r in reasons))
    if exc.__cause__ is not None and not isinstance(exc, TLSError):
        inner = _describe(exc.__cause__)
        if inner:
            return inner
    if isinstance(exc, TLSError):
        parts = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
        details = [str(p[-1]) for p in parts if isinstance(p, tuple) and p[-1]]
        return f"TLS error: {', '.join(details) or exc}; the site's certificate could not be verified"
    name = type(exc).__name__
    message = str(exc) or name
    return message if name in message or "DNS" in message else f"{name}: {message}"


def describe_failure(failure) -> str:
    """One line for a Twisted Failure (a Scrapy errback's argument)."""
    return _describe(failure.value)
